"""Bulk actions with the Django test client: all matching conversations at once, a summary naming what was
not changed and why, and undo."""
import re

import pytest

from parley.conversations.models import Conversation, CustomField, Priority, Status
from parley.desk.models import BulkAction

# Bulk actions run as jobs once the request's transaction commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def many(api_inbox, receive):
    def make(count: int, **extra):
        return [receive(api_inbox, f"Message {n}", source_id=f"c{n}", **extra).conversation for n in range(count)]
    return make


def test_all_matching_conversations_get_the_priority_and_undo_puts_each_back(client, agent, many):
    conversations = many(500)
    Conversation.objects.filter(pk=conversations[0].pk).update(priority=Priority.LOW)
    client.force_login(agent)

    started = client.post("/bulk/", {"action": "priority", "priority": "urgent", "all_matching": "on", "query": "view=all"})

    bulk = BulkAction.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/bulk/{bulk.pk}/"
    summary = client.get(f"/bulk/{bulk.pk}/").content.decode()
    assert "Done: 500 of 500 conversations changed." in summary
    assert Conversation.objects.filter(priority=Priority.URGENT).count() == 500

    client.post(f"/bulk/{bulk.pk}/undo/")
    undo = BulkAction.objects.get(undo_of=bulk)
    assert "Done: 500 of 500 conversations changed." in client.get(f"/bulk/{undo.pk}/").content.decode()
    assert Conversation.objects.filter(priority=Priority.NORMAL).count() == 499
    assert Conversation.objects.get(pk=conversations[0].pk).priority == Priority.LOW
    assert "Undone" in client.get(f"/bulk/{bulk.pk}/").content.decode()


def test_selected_conversations_are_solved_and_those_a_required_field_blocks_are_named(client, agent, many):
    CustomField.objects.create(key="reason", label="Reason", required_to_solve=True)
    first, second, third = many(3)
    Conversation.objects.filter(pk__in=[first.pk, second.pk]).update(custom_fields={"reason": "Bug"})
    client.force_login(agent)

    client.post("/bulk/", {"action": "status", "status": "solved", "ids": [first.pk, second.pk, third.pk]})

    bulk = BulkAction.objects.get()
    summary = client.get(f"/bulk/{bulk.pk}/").content.decode()
    assert "Done: 2 of 3 conversations changed, 1 not changed." in summary
    assert re.search(rf"#{third.pk}</a>: Fill in Reason before solving.", summary)
    assert sorted(Conversation.objects.filter(status=Status.SOLVED).values_list("pk", flat=True)) == [first.pk, second.pk]


def test_merging_selected_conversations_into_the_first_and_it_cannot_be_undone(client, agent, api_inbox, receive):
    first = receive(api_inbox, "One", source_id="same").conversation
    second = receive(api_inbox, "Two", source_id="same").conversation
    client.force_login(agent)
    if second.pk == first.pk:  # the API channel continues an open conversation; make a second one
        from parley.conversations.services import conversation_create
        second = conversation_create(inbox=api_inbox, contact=first.contact, subject="Another")

    client.post("/bulk/", {"action": "merge", "ids": [first.pk, second.pk]})

    bulk = BulkAction.objects.get()
    assert Conversation.objects.get(pk=second.pk).merged_into_id == first.pk
    page = client.get(f"/bulk/{bulk.pk}/").content.decode()
    assert "Done: 2 of 2 conversations changed." in page and ">Undo</button>" not in page


def test_a_bulk_action_without_a_selection_or_with_a_bad_value_says_why(client, agent, many):
    many(1)
    client.force_login(agent)

    empty = client.post("/bulk/", {"action": "priority", "priority": "high"})
    bad = client.post("/bulk/", {"action": "status", "status": "", "ids": ["1"]})

    assert empty.status_code == 422 and "Select at least one conversation." in empty.content.decode()
    assert bad.status_code == 422 and "That is not a value “status” can set." in bad.content.decode()
    assert not BulkAction.objects.exists()


def test_a_light_agent_may_not_start_a_bulk_action(client, make_agent, many):
    conversation, = many(1)
    client.force_login(make_agent("light_agent"))

    response = client.post("/bulk/", {"action": "priority", "priority": "urgent", "ids": [conversation.pk]})

    assert response.status_code == 403
    assert Conversation.objects.get(pk=conversation.pk).priority == Priority.NORMAL


def test_a_bulk_job_that_gives_up_lists_what_it_did_not_reach_with_the_reason(client, agent, many, monkeypatch):
    from parley.core.jobs import run_due
    from parley.core.models import Job
    from parley.desk import services

    conversations = many(3)
    client.force_login(agent)
    monkeypatch.setattr(services, "_apply", lambda *args: (_ for _ in ()).throw(RuntimeError("database went away")))
    monkeypatch.setattr(services, "CHUNK", 1)
    client.post("/bulk/", {"action": "priority", "priority": "urgent", "ids": [c.pk for c in conversations]})
    while Job.objects.filter(queue=services.BULK_QUEUE, dead_at__isnull=True).update(due_at="2000-01-01T00:00:00Z"):
        run_due(limit=10)

    bulk = BulkAction.objects.get()
    summary = client.get(f"/bulk/{bulk.pk}/").content.decode()
    assert "Done: 0 of 3 conversations changed, 3 not changed." in summary
    assert "the bulk job stopped: RuntimeError: database went away" in summary


def test_why_a_conversation_was_not_changed_is_told_in_the_language_of_whoever_reads_the_summary(client, agent, many):
    from parley.accounts.services import agent_update_profile

    CustomField.objects.create(key="reason", label="Reason", required_to_solve=True)
    [blocked] = many(1)
    agent_update_profile(user=agent, name=agent.name, signature="", language="es")
    client.force_login(agent)
    client.post("/bulk/", {"action": "status", "status": "solved", "ids": [blocked.pk]})  # the job runs in Spanish
    bulk = BulkAction.objects.get()

    agent_update_profile(user=agent, name=agent.name, signature="", language="de")
    german = client.get(f"/bulk/{bulk.pk}/").content.decode()
    agent_update_profile(user=agent, name=agent.name, signature="", language="en")
    english = client.get(f"/bulk/{bulk.pk}/").content.decode()

    assert f"#{blocked.pk}</a>: Füllen Sie Reason aus, bevor Sie lösen." in german
    assert f"#{blocked.pk}</a>: Fill in Reason before solving." in english and "Rellene" not in english
