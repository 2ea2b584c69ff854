"""Domain events: typed payloads, written with the change, live subscribers after commit, durable ones at least once."""
import re
from pathlib import Path

import pytest
from django.db import transaction

from parley.core import actors, events, jobs
from parley.core.models import Event, Job

CREATED = {"conversation_id": 1, "inbox_id": 1, "contact_id": 1, "actor": actors.describe(None)}


@pytest.fixture
def received():
    seen = []

    def subscriber(name, payload):
        seen.append((name, payload))

    events.subscribe("conversation.created", subscriber)
    yield seen
    events._live["conversation.created"].remove(subscriber)


@pytest.fixture
def durable():
    """A durable subscriber that fails as many times as asked before it succeeds."""
    calls = {"failures_left": 0, "seen": []}

    def subscriber(name, payload):
        calls["seen"].append(payload["event_id"])
        if calls["failures_left"]:
            calls["failures_left"] -= 1
            raise ConnectionError("the webhook receiver is down")

    events.subscribe_durable("conversation.linked", "test-webhook", subscriber)
    yield calls
    del events._durable["conversation.linked"]["test-webhook"]


def test_an_event_reaches_live_subscribers_only_after_commit_with_its_id(transactional_db, received):
    with transaction.atomic():
        events.publish("conversation.created", CREATED)
        assert received == []
        stored = Event.objects.get()
    assert received == [("conversation.created", {**CREATED, "event_id": stored.pk})]
    assert stored.payload == CREATED


def test_a_rolled_back_transaction_publishes_and_stores_nothing(transactional_db, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("conversation.created", CREATED)
        raise RuntimeError("boom")
    assert received == []
    assert not Event.objects.exists()


def test_a_failing_live_subscriber_does_not_stop_the_others(transactional_db, received):
    def broken(name, payload):
        raise ValueError("subscriber bug")

    events.subscribe("conversation.created", broken)
    try:
        events.publish("conversation.created", CREATED)
    finally:
        events._live["conversation.created"].remove(broken)
    assert len(received) == 1


def test_unknown_events_are_refused():
    with pytest.raises(KeyError):
        events.publish("conversation.exploded", {})


@pytest.mark.parametrize("payload, problem", [
    ({"conversation_id": 1, "inbox_id": 1, "contact_id": 1}, "actor"),
    ({**CREATED, "surprise": 1}, "surprise"),
    ({**CREATED, "inbox_id": "1"}, "inbox_id"),
    ({**CREATED, "inbox_id": True}, "inbox_id"),
])
def test_a_payload_that_does_not_match_its_declaration_is_refused(db, payload, problem):
    with pytest.raises(events.PayloadError, match=problem):
        events.publish("conversation.created", payload)
    assert not Event.objects.exists()


def test_a_durable_subscriber_is_retried_until_it_succeeds(db, durable, run_due_jobs, django_capture_on_commit_callbacks):
    durable["failures_left"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("conversation.linked", {"conversation_id": 1, "other_id": 2, "actor": actors.describe(None)})
    event = Event.objects.get()
    job = Job.objects.get(queue="event:test-webhook")
    assert (job.target_id, job.attempts, job.dead_at) == (event.pk, 1, None)
    assert "webhook receiver is down" in job.last_error

    run_due_jobs()
    run_due_jobs()

    assert durable["seen"] == [event.pk] * 3
    assert not Job.objects.exists()


def test_one_failing_subscriber_is_retried_alone_and_the_others_run_once(db, durable, run_due_jobs,
                                                                          django_capture_on_commit_callbacks):
    ran = []
    events.subscribe_durable("conversation.linked", "test-audit", lambda name, payload: ran.append(payload["event_id"]))
    try:
        durable["failures_left"] = 1
        with django_capture_on_commit_callbacks(execute=True):
            events.publish("conversation.linked", {"conversation_id": 1, "other_id": 2, "actor": actors.describe(None)})
        event = Event.objects.get()
        assert ran == [event.pk]
        assert list(Job.objects.values_list("queue", flat=True)) == ["event:test-webhook"]

        run_due_jobs()
    finally:
        del events._durable["conversation.linked"]["test-audit"]

    assert durable["seen"] == [event.pk, event.pk] and ran == [event.pk]
    assert not Job.objects.exists()


def test_a_durable_subscriber_that_keeps_failing_ends_in_the_dead_letter(db, durable, run_due_jobs,
                                                                         django_capture_on_commit_callbacks):
    durable["failures_left"] = 100
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("conversation.linked", {"conversation_id": 1, "other_id": 2, "actor": actors.describe(None)})
    for _ in range(20):
        run_due_jobs()
    job = Job.objects.get(queue="event:test-webhook")
    assert job.dead_at is not None and job.attempts == jobs.handler_for("event:test-webhook").max_attempts


def test_every_event_is_documented_with_its_fields():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    documented = dict(re.findall(r"^### `([a-z_.]+)`\n.*?\n\| fields \| (.+?) \|$", doc, re.M | re.S))
    assert set(documented) == set(events.EVENTS)
    for name, declared in events.EVENTS.items():
        fields = [f.strip(" `") for f in documented[name].split(",")]
        assert fields == list(declared.__dataclass_fields__), name


def test_old_events_are_pruned_unless_a_durable_subscriber_still_waits_for_them(db, durable, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from parley.core.tasks import events_prune

    durable["failures_left"] = 100
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("conversation.created", CREATED)
        events.publish("conversation.linked", {"conversation_id": 1, "other_id": 2, "actor": actors.describe(None)})
    Event.objects.update(created_at=timezone.now() - timedelta(days=31))
    events.publish("conversation.created", CREATED)

    assert events_prune() == 1
    assert sorted(Event.objects.values_list("name", flat=True)) == ["conversation.created", "conversation.linked"]
