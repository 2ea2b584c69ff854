"""Search picks its plan by how common the words are, with the same answers either way; sidebar counts stop at 999+."""
import pytest
from django.utils import timezone

from parley.channels.base import InboundMessage
from parley.conversations.models import Conversation
from parley.conversations.selectors import COUNT_CAP, ConversationFilters, conversation_list, view_counts
from parley import search
from parley.search import sqlite as sqlite_search


def _write(inbox, n: int, text: str):
    from parley.conversations.services import message_receive

    return message_receive(inbox=inbox, inbound=InboundMessage(
        external_id=f"plan-{n}", identity_kind="external_id", source_id=f"c-{n}", text=text)).conversation


@pytest.fixture
def desk(api_inbox):
    """Six conversations: every one says "parcel", two say "kumquat" and "77"; the newest activity last."""
    return [_write(api_inbox, n, "my parcel " + ("and a kumquat, order 77" if n in (1, 4) else "is late")) for n in range(6)]


def _found(user, text) -> list[int]:
    return list(conversation_list(user=user, filters=ConversationFilters(text=text)).values_list("pk", flat=True))


def _assert_answers(desk, user):
    assert _found(user, "kumquat") == [desk[4].pk, desk[1].pk]
    assert _found(user, "parcel") == [c.pk for c in reversed(desk)]
    assert _found(user, "kumquat parcel") == _found(user, "parcel kumquat") == [desk[4].pk, desk[1].pk]
    assert _found(user, "kum") == _found(user, "parcel kum") == [desk[4].pk, desk[1].pk]
    assert _found(user, "parcel 77") == [desk[4].pk, desk[1].pk]
    assert _found(user, "nectarine") == _found(user, "parcel nectarine") == []


@pytest.mark.parametrize(("rare_matches", "clearly_common"), [(0, 4), (2, 4), (100, 4), (100, 0)],
                         ids=["every-word-common", "boundary", "every-word-rare", "estimated-common-without-counting"])
def test_rare_and_common_words_find_the_same_conversations_newest_first_whichever_plan_answers(
        desk, admin, monkeypatch, rare_matches, clearly_common):
    monkeypatch.setattr(search, "RARE_MATCHES", rare_matches)
    monkeypatch.setattr(search, "CLEARLY_COMMON", clearly_common)

    _assert_answers(desk, admin)


@pytest.mark.sqlite
@pytest.mark.parametrize("probe_share", [0.0, 2.0], ids=["whole-words-probed", "every-word-gathered"])
def test_common_words_probed_per_conversation_or_gathered_find_the_same_conversations(desk, admin, monkeypatch, probe_share):
    monkeypatch.setattr(search, "RARE_MATCHES", 0)
    monkeypatch.setattr(sqlite_search, "PROBE_SHARE", probe_share)

    _assert_answers(desk, admin)


def test_a_rare_word_is_answered_from_its_matches_and_a_common_one_by_walking_newest_first(desk, admin, monkeypatch):
    monkeypatch.setattr(search, "RARE_MATCHES", 3)
    # Matches counted whatever the estimate: PostgreSQL's planner knows nothing yet of a table filled in this test.
    monkeypatch.setattr(search, "CLEARLY_COMMON", 1_000_000)

    def sql(text):
        return str(conversation_list(user=admin, filters=ConversationFilters(text=text)).query).lower()

    # Rare: the two matches are the condition itself; common: the index is consulted inside the query.
    assert "search_" not in sql("kumquat") and str(desk[4].pk) in sql("kumquat")
    assert "search_" in sql("parcel")


def test_sidebar_counts_stop_at_the_cap_and_show_999_plus(admin, api_inbox, client):
    contact = _write(api_inbox, 0, "first").contact
    now = timezone.now()
    Conversation.objects.bulk_create([
        Conversation(inbox=api_inbox, contact=contact, status="open", subject=f"s{n}", created_at=now, last_message_at=now)
        for n in range(COUNT_CAP + 5)])

    counts = view_counts(user=admin)
    client.force_login(admin)
    body = client.get("/").content.decode()

    assert counts["all"] == COUNT_CAP + 1 and counts["mine"] == 0
    assert f'data-view="all">{COUNT_CAP}+</span>' in body
    assert 'data-view="mine">0</span>' in body
