"""SQLite FTS5 backend: full-text documents kept in sync by triggers.

A conversation has a document for its subject and its customer's name and email, and its
messages' texts (system events have none) in passages of up to PASSAGE_MESSAGES messages each,
in the order they were written. A conversation matches when every word of the query is
somewhere in it: for each word, the conversations holding it in any of their documents,
intersected. FTS5 re-tokenizes a whole row on any change, so one document for a whole thread
made each new message re-read the thread (61–82 ms in a thread of 1 000); a new message now
rewrites only the last passage, the same cost at any length, while a typical conversation
still has one body document, which keeps the match list of a common word short. Triggers catch
every write path (services, admin, bulk updates, merges moving messages), so nothing outside
this module has to remember the index.

The triggers name the source tables, and SQLite refuses to rebuild a table (as most schema
changes do) while a trigger names it; so the index is dropped before migrations run and rebuilt
after them (`suspend`, then `install` from the search app's migrate hooks).
"""
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from parley.conversations.models import Conversation
from parley.search.query import SearchQuery

CONVERSATIONS = "search_conversation_doc"
PASSAGES = "search_passage_doc"
TOKENIZER = "porter unicode61 remove_diacritics 2"
PASSAGE_MESSAGES = 25
#: A passage's rowid is conversation id × this + its number: a conversation's passages are one rowid range, and a
#: match names its conversation without reading the row.
PASSAGES_PER_CONVERSATION = 1_000_000
#: What earlier versions installed: dropped so that `install` replaces them.
RETIRED = ("search_conversation_fts", "search_conversation_ai", "search_conversation_au", "search_conversation_ad",
           "search_message_ai", "search_message_au", "search_message_ad", "search_contact_au")


def _conversation_docs(where: str) -> list[str]:
    """Return statements that rewrite the subject-and-customer documents of the conversations `c` matching `where`."""
    return [
        f"DELETE FROM {CONVERSATIONS} WHERE rowid IN (SELECT c.id FROM conversations_conversation c WHERE {where})",
        f"INSERT INTO {CONVERSATIONS}(rowid, subject, customer) SELECT c.id, c.subject, "
        "coalesce(ct.name || ' ' || ct.email, '') FROM conversations_conversation c "
        f"LEFT JOIN contacts_contact ct ON ct.id = c.contact_id WHERE {where}",
    ]


def _passages_of(conversation: str) -> list[str]:
    """Return statements that rewrite every passage of one conversation (a message edited, deleted or moved)."""
    first = f"{conversation} * {PASSAGES_PER_CONVERSATION}"
    return [
        f"DELETE FROM {PASSAGES} WHERE rowid BETWEEN {first} AND {first} + {PASSAGES_PER_CONVERSATION - 1}",
        _passages_insert(f"m.conversation_id = {conversation}"),
    ]


def _passages_insert(where: str) -> str:
    """Return a statement that writes the passages of the conversations whose messages `m` match `where`."""
    return (f"INSERT INTO {PASSAGES}(rowid, body) "
            f"SELECT conversation_id * {PASSAGES_PER_CONVERSATION} + passage, group_concat(text, ' ') "
            "FROM (SELECT m.conversation_id, m.text, "
            f"(row_number() OVER (PARTITION BY m.conversation_id ORDER BY m.id) - 1) / {PASSAGE_MESSAGES} AS passage "
            f"FROM conversations_message m WHERE m.kind <> 'event' AND {where}) GROUP BY conversation_id, passage")


#: The passage a new message belongs to: the messages written before it, PASSAGE_MESSAGES to a passage.
_NEW_PASSAGE = (f"((SELECT count(*) FROM conversations_message m WHERE m.conversation_id = new.conversation_id "
                f"AND m.kind <> 'event' AND m.id < new.id) / {PASSAGE_MESSAGES})")
_NEW_PASSAGE_ROWID = f"(new.conversation_id * {PASSAGES_PER_CONVERSATION} + {_NEW_PASSAGE})"


def _body(*statements: str) -> str:
    return "BEGIN " + " ".join(f"{statement};" for statement in statements) + " END"


OBJECTS = {
    CONVERSATIONS: f"CREATE VIRTUAL TABLE {CONVERSATIONS} USING fts5(subject, customer, tokenize='{TOKENIZER}')",
    PASSAGES: f"CREATE VIRTUAL TABLE {PASSAGES} USING fts5(body, tokenize='{TOKENIZER}')",
    "search_doc_conversation_ai": "CREATE TRIGGER search_doc_conversation_ai AFTER INSERT ON conversations_conversation "
                                  + _body(*_conversation_docs("c.id = new.id")),
    "search_doc_conversation_au": "CREATE TRIGGER search_doc_conversation_au AFTER UPDATE OF subject, contact_id "
                                  "ON conversations_conversation "
                                  "WHEN old.subject IS NOT new.subject OR old.contact_id IS NOT new.contact_id "
                                  + _body(*_conversation_docs("c.id = new.id")),
    "search_doc_conversation_ad": "CREATE TRIGGER search_doc_conversation_ad AFTER DELETE ON conversations_conversation "
                                  + _body(f"DELETE FROM {CONVERSATIONS} WHERE rowid = old.id", *_passages_of("old.id")),
    # A new message rewrites only its own passage, the last one.
    "search_doc_message_ai": "CREATE TRIGGER search_doc_message_ai AFTER INSERT ON conversations_message "
                             "WHEN new.kind <> 'event' "
                             + _body(f"DELETE FROM {PASSAGES} WHERE rowid = {_NEW_PASSAGE_ROWID}",
                                     f"INSERT INTO {PASSAGES}(rowid, body) "
                                     f"SELECT {_NEW_PASSAGE_ROWID}, group_concat(text, ' ') "
                                     "FROM (SELECT m.text FROM conversations_message m "
                                     "WHERE m.conversation_id = new.conversation_id AND m.kind <> 'event' "
                                     f"ORDER BY m.id LIMIT {PASSAGE_MESSAGES} OFFSET {_NEW_PASSAGE} * {PASSAGE_MESSAGES})"),
    # An edit, a deletion or a move (a merge) shifts what follows: the conversations concerned are rewritten whole.
    "search_doc_message_au": "CREATE TRIGGER search_doc_message_au AFTER UPDATE OF text, kind, conversation_id "
                             "ON conversations_message "
                             "WHEN (old.text IS NOT new.text OR old.kind IS NOT new.kind "
                             "OR old.conversation_id IS NOT new.conversation_id) "
                             "AND (old.kind <> 'event' OR new.kind <> 'event') "
                             + _body(*_passages_of("old.conversation_id"), *_passages_of("new.conversation_id")),
    "search_doc_message_ad": "CREATE TRIGGER search_doc_message_ad AFTER DELETE ON conversations_message "
                             "WHEN old.kind <> 'event' " + _body(*_passages_of("old.conversation_id")),
    "search_doc_contact_au": "CREATE TRIGGER search_doc_contact_au AFTER UPDATE OF name, email ON contacts_contact "
                             "WHEN old.name IS NOT new.name OR old.email IS NOT new.email "
                             + _body(*_conversation_docs("c.contact_id = new.id")),
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the fts tables and triggers and fill the tables, unless everything is already in place."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if set(OBJECTS) <= present and not present & set(RETIRED):
            return
        uninstall(connection)
        for statement in OBJECTS.values():
            cursor.execute(statement)
        for statement in _conversation_docs("1 = 1"):
            cursor.execute(statement)
        cursor.execute(_passages_insert("1 = 1"))


def suspend(connection: BaseDatabaseWrapper) -> None:
    """Drop the index before schema changes; `install` rebuilds it from the tables afterwards."""
    uninstall(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the fts tables and their triggers (and what earlier versions installed)."""
    tables = {CONVERSATIONS, PASSAGES, RETIRED[0]}
    with connection.cursor() as cursor:
        for name in (*OBJECTS, *RETIRED):
            if name not in tables:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _terms(query: SearchQuery) -> list[str]:
    # Every word is a quoted FTS5 string (the words hold no quotes), so nothing is read as an operator.
    terms = [f'"{word}"' for word in query.words]
    if query.prefix:
        terms[-1] += "*"
    return terms


def _matched(terms: list[str]) -> tuple[str, list[str]]:
    """Return a select of the conversations holding every term, and its parameters."""
    holding = (f"SELECT * FROM (SELECT rowid FROM {CONVERSATIONS} WHERE {CONVERSATIONS} MATCH %s "
               f"UNION ALL SELECT rowid / {PASSAGES_PER_CONVERSATION} FROM {PASSAGES} WHERE {PASSAGES} MATCH %s)")
    return " INTERSECT ".join([holding] * len(terms)), [term for term in terms for _ in range(2)]


def among(ids: list[int], connection: BaseDatabaseWrapper) -> Q:
    """Return a condition on conversations: one of `ids`, the matches of a rare query (SQLite looks each up)."""
    return Q(pk__in=ids)


def estimated_matches(query: SearchQuery, connection: BaseDatabaseWrapper, *, conversations: int) -> int:
    """Return about how many of `conversations` hold every word of `query`, as if words occurred independently.

    Each word's documents are counted as whole words (FTS5 reads a word's list in order, keeping nothing;
    merging the lists of every word a prefix begins would cost more), so a word being typed may match more;
    a word in both a subject and a message counts twice.
    """
    estimate = float(conversations)
    with connection.cursor() as cursor:
        for word in query.words:
            cursor.execute(f"SELECT (SELECT count(*) FROM {CONVERSATIONS} WHERE {CONVERSATIONS} MATCH %s) "
                           f"+ (SELECT count(*) FROM {PASSAGES} WHERE {PASSAGES} MATCH %s)", [f'"{word}"'] * 2)
            estimate *= min(1.0, cursor.fetchone()[0] / max(1, conversations))
    return round(estimate)


def matching_ids(query: SearchQuery, connection: BaseDatabaseWrapper, *, limit: int) -> list[int]:
    """Return up to `limit` conversations holding every word of `query`."""
    matched, params = _matched(_terms(query))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT * FROM ({matched}) LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


#: From this share of conversations matching, the walk probes each conversation's documents for whole words
#: rather than gathering every match first: a page fills after a few probes, where gathering reads every match.
PROBE_SHARE = 0.2


def matching(query: SearchQuery, connection: BaseDatabaseWrapper, *, share: float) -> Q:
    """Return a condition on conversations: every word of `query` is in the conversation (any message, subject or customer).

    The query walks conversations newest first. When `share`, the estimated share of conversations matching,
    is small, each is looked up in the set of every match, gathered once; when it is large, each is probed for
    the words themselves. A word being typed cannot be probed (FTS5 answers a prefix by merging the lists of
    every word it begins, as costly for one conversation as for all): the word itself is probed, and only the
    documents holding a longer word it begins, and not the word, are gathered.
    """
    table = connection.ops.quote_name(Conversation._meta.db_table)
    if share < PROBE_SHARE:
        matched, params = _matched(_terms(query))
        # The unary + stops SQLite from driving the query from the match list: walking conversations newest
        # first and probing the matched set stops after a page, where sorting every match of a common word does not.
        return Q(RawSQL(f"+{table}.id IN ({matched})", params, output_field=BooleanField()))
    first = f"{table}.id * {PASSAGES_PER_CONVERSATION}"
    # Messages hold far more words than a subject, so a common word is nearly always found in a passage: probed
    # first, a match costs one probe rather than two.
    holds = (f"(EXISTS (SELECT 1 FROM {PASSAGES} WHERE {PASSAGES} MATCH %s "
             f"AND rowid BETWEEN {first} AND {first} + {PASSAGES_PER_CONVERSATION - 1}) "
             f"OR EXISTS (SELECT 1 FROM {CONVERSATIONS} WHERE {CONVERSATIONS} MATCH %s AND rowid = {table}.id))")
    conditions, params = [], []
    for word in query.words:
        conditions.append(holds)
        params += [f'"{word}"'] * 2
    if query.prefix:
        longer, longer_params = _matched([f'"{query.words[-1]}"* NOT "{query.words[-1]}"'])
        conditions[-1] = f"({holds} OR +{table}.id IN ({longer}))"
        params += longer_params
    return Q(RawSQL(" AND ".join(conditions), params, output_field=BooleanField()))
