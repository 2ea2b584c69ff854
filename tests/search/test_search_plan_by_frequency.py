"""Search picks its plan by how common the words are, with the same answers either way; sidebar counts stop at 999+."""
import pytest
from django.utils import timezone

from parley.channels.base import InboundMessage
from parley.conversations.models import Conversation
from parley.conversations.selectors import COUNT_CAP, ConversationFilters, conversation_list, view_counts
from parley import search


def _write(inbox, n: int, text: str):
    from parley.conversations.services import message_receive

    return message_receive(inbox=inbox, inbound=InboundMessage(
        external_id=f"plan-{n}", identity_kind="external_id", source_id=f"c-{n}", text=text)).conversation


@pytest.fixture
def desk(api_inbox):
    """Six conversations: every one says "parcel", two say "kumquat"; the newest activity last."""
    return [_write(api_inbox, n, "my parcel " + ("and a kumquat" if n in (1, 4) else "is late")) for n in range(6)]


@pytest.mark.parametrize("rare_matches", [0, 2, 100], ids=["every-word-common", "boundary", "every-word-rare"])
def test_rare_and_common_words_find_the_same_conversations_newest_first_whichever_plan_answers(desk, admin, monkeypatch, rare_matches):
    monkeypatch.setattr(search, "RARE_MATCHES", rare_matches)

    def found(text):
        return list(conversation_list(user=admin, filters=ConversationFilters(text=text)).values_list("pk", flat=True))

    assert found("kumquat") == [desk[4].pk, desk[1].pk]
    assert found("parcel") == [c.pk for c in reversed(desk)]
    assert found("kumquat parcel") == [desk[4].pk, desk[1].pk]
    assert found("nectarine") == []


def test_a_rare_word_is_answered_from_its_matches_and_a_common_one_by_walking_newest_first(desk, admin, monkeypatch):
    monkeypatch.setattr(search, "RARE_MATCHES", 3)

    def sql(text):
        return str(conversation_list(user=admin, filters=ConversationFilters(text=text)).query)

    # Rare: the two matches are the condition itself; common: the index is consulted inside the query.
    assert f"IN ({desk[1].pk}, {desk[4].pk})" in sql("kumquat") or f"IN ({desk[4].pk}, {desk[1].pk})" in sql("kumquat")
    assert "search" in sql("parcel").lower() and "IN (SELECT" in sql("parcel")


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
