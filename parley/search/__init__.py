"""The one search interface: `search_conversations(queryset, text)`.

The embedded default (SQLite FTS5) and PostgreSQL (tsvector + GIN) each get a full-text
backend with the same behaviour; callers never know which one answers. Both index a
conversation's subject, message texts and customer name and email (PostgreSQL as one document
per conversation, SQLite as one per message and one per conversation), maintained by database
triggers so that every write path keeps them current. A backend module provides
`install`, `suspend` and `uninstall` (see apps.py for when they run), and `estimated_matches`,
`matching_ids`, `among` and `matching` for the search itself.
"""
import math
from types import ModuleType

from django.db import connections
from django.db.models import Max, Q, QuerySet

from parley.search.query import SearchQuery, parse_query


def backend_for(vendor: str) -> ModuleType:
    """Return the backend module for a database vendor ("sqlite" or "postgresql")."""
    if vendor == "sqlite":
        from parley.search import sqlite as backend
    elif vendor == "postgresql":
        from parley.search import postgres as backend
    else:
        raise LookupError(f"No full-text search backend for {vendor}.")
    return backend


def search_conversations(queryset: QuerySet, text: str) -> QuerySet:
    """Narrow `queryset` to conversations matching `text`, most recent activity first.

    "#1234" finds that conversation; "1234" finds it and messages quoting 1234; an email
    address or a phone number (any common spelling) finds that customer's conversations; words find conversations holding every word
    in their messages, subject or customer (the last word also as a prefix). Any input is
    safe: query syntax is dropped, never interpreted, and nothing searchable matches nothing.
    """
    if not text.strip():
        return queryset
    query = parse_query(text)
    if query.is_empty:
        return queryset.none()
    return queryset.filter(_condition(query, connections[queryset.db])).order_by("-last_message_at", "-id")


def _condition(query: SearchQuery, connection) -> Q:
    from parley.contacts.models import Contact, ContactIdentity
    from parley.contacts.selectors import contact_ids_with_phone

    if query.number_only:
        return Q(pk=query.number)
    if query.email:
        # Two indexed look-ups first: an OR across the contact join would make the database scan every conversation.
        contact_ids = {*Contact.objects.filter(email=query.email).values_list("pk", flat=True),
                       *ContactIdentity.objects.filter(kind="email", source_id=query.email).values_list("contact_id", flat=True)}
        return Q(contact_id__in=contact_ids)
    condition = _words_condition(query, connection)
    if query.number is not None:
        condition |= Q(pk=query.number)
    if query.phone:
        condition |= Q(contact_id__in=contact_ids_with_phone(query.phone))
    return condition


#: A query matching at most this many conversations, in a desk of RARE_AT conversations, is rare.
RARE_MATCHES = 2000
RARE_AT = 100_000
#: A query the index estimates at this many times the rare bound is common without counting its matches.
CLEARLY_COMMON = 4


def rare_limit(conversations: int) -> int:
    """Return how many matches a rare query may have in a desk of `conversations`.

    A rare query's list is built from its matches, a cost that grows with their number; a common one walks
    conversations newest first until a page is full, a cost that grows with conversations / matches. The two
    meet at a number of matches that grows with the square root of the desk's size.
    """
    return max(RARE_MATCHES, round(RARE_MATCHES * math.sqrt(conversations / RARE_AT)))


def _words_condition(query: SearchQuery, connection) -> Q:
    """Choose the plan by how common the words are, which the index's statistics and one bounded look-up tell.

    Rare words: their few conversations, sorted by activity, are the answer; walking every conversation
    newest first would scan nearly all of them before a page fills. Common words: that walk fills a
    page after a few rows, where sorting every match would not. The look-up is skipped when the backend's
    estimate alone says the words are common: it would read as many matches as the rare bound allows.
    """
    from parley.conversations.models import Conversation

    backend = backend_for(connection.vendor)
    # Numbers are never reused and merged conversations keep their rows, so the highest one is the desk's size.
    conversations = Conversation.objects.using(connection.alias).aggregate(top=Max("pk"))["top"] or 0
    limit = rare_limit(conversations)
    estimate = backend.estimated_matches(query, connection, conversations=conversations)
    if estimate <= CLEARLY_COMMON * limit:
        found = backend.matching_ids(query, connection, limit=limit + 1)
        if len(found) <= limit:
            return backend.among(found, connection)
    return backend.matching(query, connection, share=min(1.0, estimate / max(1, conversations)))
