import pytest
from django.db import transaction

from parley.core import events


@pytest.fixture
def received():
    seen = []

    def subscriber(name, payload):
        seen.append((name, payload))

    events.subscribe("conversation.created", subscriber)
    yield seen
    events._subscribers["conversation.created"].remove(subscriber)


def test_an_event_reaches_subscribers_only_after_commit(transactional_db, received):
    with transaction.atomic():
        events.publish("conversation.created", {"conversation_id": 1, "inbox_id": 1, "contact_id": 1})
        assert received == []
    assert received == [("conversation.created", {"conversation_id": 1, "inbox_id": 1, "contact_id": 1})]


def test_a_rolled_back_transaction_publishes_nothing(transactional_db, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("conversation.created", {"conversation_id": 1, "inbox_id": 1, "contact_id": 1})
        raise RuntimeError("boom")
    assert received == []


def test_a_failing_subscriber_does_not_stop_the_others(transactional_db, received):
    def broken(name, payload):
        raise ValueError("subscriber bug")

    events.subscribe("conversation.created", broken)
    try:
        events.publish("conversation.created", {"conversation_id": 2, "inbox_id": 1, "contact_id": 1})
    finally:
        events._subscribers["conversation.created"].remove(broken)
    assert len(received) == 1


def test_unknown_events_are_refused():
    with pytest.raises(KeyError):
        events.publish("conversation.exploded", {})
