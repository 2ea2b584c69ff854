"""Time rules on a deterministic clock: they act once the time has come, and never twice for the same condition."""
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.automation.models import RuleFiring
from parley.automation.services.rules import rule_create, time_rules_run
from parley.conversations.models import MessageKind, Status
from parley.conversations.services import conversation_set_status, conversation_update
from parley.core import jobs

pytestmark = pytest.mark.django_db(transaction=True)

#: Ten days ago: every clock reading in these tests is in the past, so services that stamp "now" come later.
T0 = timezone.now().replace(microsecond=0) - timedelta(days=10)


@pytest.fixture
def pending_rules(admin):
    rule_create(name="Remind after 3 days", kind="time", actor=admin, definition={
        "after": {"since": "last_inbound", "hours": 72},
        "conditions": [{"field": "conversation.status", "op": "is", "value": "pending"}],
        "actions": [{"type": "reply", "text": "Hi {{contact.first_name}}, do you still need help with #{{conversation.number}}?"}]})
    rule_create(name="Solve after 7 days", kind="time", actor=admin, definition={
        "after": {"since": "last_inbound", "hours": 168},
        "conditions": [{"field": "conversation.status", "op": "is", "value": "pending"}],
        "actions": [{"type": "set_status", "status": "solved"}]})


def reminders(conversation):
    return list(conversation.messages.filter(kind=MessageKind.REPLY, metadata__actor__kind="rule").values_list("text", flat=True))


def test_a_pending_conversation_is_reminded_once_after_3_days_then_solved_after_7(api_inbox, receive, agent, pending_rules):
    conversation = receive(api_inbox, "My order never came", received_at=T0).conversation
    conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING, at=T0)

    assert time_rules_run(now=T0 + timedelta(hours=71)) == 0
    assert reminders(conversation) == []

    assert time_rules_run(now=T0 + timedelta(hours=73)) == 1
    assert reminders(conversation) == [f"Hi Rita, do you still need help with #{conversation.pk}?"]
    for hours in (74, 100, 167):
        assert time_rules_run(now=T0 + timedelta(hours=hours)) == 0
    assert len(reminders(conversation)) == 1

    assert time_rules_run(now=T0 + timedelta(hours=169)) == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED
    assert conversation.messages.filter(text="rule 'Solve after 7 days' set the status to Solved.").exists()
    assert time_rules_run(now=T0 + timedelta(hours=400)) == 0


def test_a_new_customer_message_is_a_new_condition_and_is_reminded_again(api_inbox, receive, agent, pending_rules):
    conversation = receive(api_inbox, "My order never came", received_at=T0).conversation
    conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING, at=T0)
    time_rules_run(now=T0 + timedelta(hours=73))

    later = T0 + timedelta(hours=80)
    receive(api_inbox, "Still nothing", received_at=later)
    conversation.refresh_from_db()
    conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING, at=later)
    assert time_rules_run(now=later + timedelta(hours=10)) == 0
    assert time_rules_run(now=later + timedelta(hours=73)) == 1

    assert len(reminders(conversation)) == 2
    assert RuleFiring.objects.filter(rule__name="Remind after 3 days").count() == 2


def test_an_unanswered_urgent_conversation_is_escalated_after_an_hour_and_an_answered_one_is_not(api_inbox, receive, agent, admin):
    rule_create(name="Urgent waits 1 h", kind="time", actor=admin, definition={
        "after": {"since": "created", "hours": 1},
        "conditions": [{"field": "conversation.priority", "op": "is", "value": "urgent"},
                       {"field": "conversation.answered", "op": "is", "value": False}],
        "actions": [{"type": "escalate", "reason": "urgent and unanswered for an hour"}]})
    waiting = receive(api_inbox, "The shop is down!", received_at=T0, source_id="a").conversation
    answered = receive(api_inbox, "Checkout is down!", received_at=T0, source_id="b").conversation
    for conversation in (waiting, answered):
        conversation_update(conversation=conversation, actor=agent, priority="urgent")
    from parley.conversations.services import message_reply
    message_reply(conversation=answered, author=agent, text="Looking into it now.")

    assert time_rules_run(now=T0 + timedelta(minutes=59)) == 0
    assert time_rules_run(now=T0 + timedelta(minutes=61)) == 1
    assert time_rules_run(now=T0 + timedelta(minutes=90)) == 0

    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.tier, answered.tier) == (2, 1)
    assert waiting.messages.filter(text="rule 'Urgent waits 1 h' escalated this to tier 2: urgent and unanswered for an hour").exists()


def test_the_schedule_runs_the_time_rules_on_one_worker(api_inbox, receive, agent, pending_rules):
    conversation = receive(api_inbox, "My order never came", received_at=T0).conversation
    conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING, at=T0)

    assert "automation.time_rules" in jobs.run_schedules()
    assert "automation.time_rules" not in jobs.run_schedules()  # not due again for a minute

    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED
    assert len(reminders(conversation)) == 1


@pytest.mark.servers
def test_a_running_worker_process_fires_the_time_rules_once(api_inbox, receive, agent, pending_rules, database_url):
    import os
    import subprocess
    import sys
    import time

    from django.conf import settings

    conversation = receive(api_inbox, "My order never came", received_at=T0).conversation
    conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING, at=T0)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.test_settings", "DATABASE_URL": database_url,
           "PARLEY_DATA_DIR": str(settings.DATA_DIR), "PARLEY_JOBS_EAGER": "0", "PARLEY_SECRET_KEY": settings.SECRET_KEY}
    worker = subprocess.Popen([sys.executable, "-c", "import sys; from parley.cli import main; sys.exit(main())",
                               "worker", "--concurrency", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            conversation.refresh_from_db()
            if conversation.status == Status.SOLVED:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)

    assert conversation.status == Status.SOLVED, errors.decode()[-2000:]
    assert len(reminders(conversation)) == 1
    assert RuleFiring.objects.filter(conversation=conversation).count() == 2
