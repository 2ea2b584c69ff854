"""SLAs: due times in business hours, pauses while pending, warnings, breaches, notification and escalation."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from parley.conversations.models import Notification, Status
from parley.conversations.services import (
    conversation_set_status, conversation_set_tags, conversation_update, message_reply,
)
from parley.core.errors import ValidationFailed
from parley.core.models import Event
from parley.accounts.services import team_create
from parley.routing.services import calendar_save, holiday_add
from parley.sla import services
from parley.sla.models import ConversationSla


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def gold(lead, office, on_commit):
    with on_commit():
        return services.sla_policy_save(actor=lead, name="Gold", calendar=office, first_response_minutes=120,
                                        next_response_minutes=60, resolution_minutes=8 * 60, warn_before_minutes=15)


def sla_of(conversation) -> ConversationSla:
    return ConversationSla.objects.get(conversation=conversation)


def test_a_friday_afternoon_message_is_due_on_monday_in_business_hours(gold, write_in):
    conversation = write_in(berlin(2026, 3, 6, 16, 0))

    sla = sla_of(conversation)
    assert sla.first_response_due_at == berlin(2026, 3, 9, 10, 0)
    assert sla.resolution_due_at == berlin(2026, 3, 9, 16, 0)
    assert sla.next_due_at == sla.first_response_due_at


def test_a_calendar_change_moves_the_due_times_of_open_conversations(gold, write_in, office, lead, on_commit):
    conversation = write_in(berlin(2026, 3, 6, 16, 0))

    with on_commit():
        holiday_add(calendar=office, actor=lead, day=berlin(2026, 3, 9).date(), name="Bridge day")

    assert sla_of(conversation).first_response_due_at == berlin(2026, 3, 10, 10, 0)


def test_replying_meets_the_first_response_and_a_new_customer_message_starts_the_next_response(gold, write_in, agent, on_commit):
    conversation = write_in(berlin(2026, 3, 4, 10, 0))
    with on_commit():
        message_reply(conversation=conversation, author=agent, text="Looking", created_at=berlin(2026, 3, 4, 10, 30))
    sla = sla_of(conversation)
    assert sla.first_response_due_at is None and sla.next_response_due_at is None

    write_in(berlin(2026, 3, 4, 16, 30), "Any news?", conversation=conversation)

    assert sla_of(conversation).next_response_due_at == berlin(2026, 3, 5, 9, 30)


def test_pending_on_the_customer_stops_the_resolution_clock(gold, write_in, agent, on_commit):
    conversation = write_in(berlin(2026, 3, 4, 9, 0))
    before = sla_of(conversation).resolution_due_at
    assert before == berlin(2026, 3, 4, 17, 0)

    with on_commit():
        conversation_set_status(conversation=conversation, actor=agent, status=Status.PENDING)
    assert sla_of(conversation).next_due_at is None
    # Two business hours later the customer answers: the resolution is due two business hours later than before.
    paused = sla_of(conversation)
    paused.paused_at = berlin(2026, 3, 4, 11, 0)
    paused.save()
    services.sla_clock_status_changed(conversation_id=conversation.pk, old=Status.PENDING, new=Status.OPEN,
                                      at=berlin(2026, 3, 4, 13, 0))

    assert sla_of(conversation).resolution_due_at == berlin(2026, 3, 5, 11, 0)


def test_conditions_choose_the_policy_and_priority_changes_are_followed(lead, office, write_in, agent, on_commit):
    with on_commit():
        services.sla_policy_save(actor=lead, name="Urgent", position=0, priorities=["urgent"], first_response_minutes=30,
                                 periodic_update_minutes=60)
        services.sla_policy_save(actor=lead, name="VIP", position=1, tags=["vip"], first_response_minutes=240)
    conversation = write_in(berlin(2026, 3, 4, 10, 0))
    assert not ConversationSla.objects.filter(conversation=conversation).exists()

    with on_commit():
        conversation_set_tags(conversation=conversation, actor=agent, tags=["vip"])
    assert sla_of(conversation).policy.name == "VIP"

    with on_commit():
        conversation_update(conversation=conversation, actor=agent, priority="urgent")
    sla = sla_of(conversation)
    assert sla.policy.name == "Urgent"
    # Calendar hours: no calendar on this policy.
    assert sla.first_response_due_at == berlin(2026, 3, 4, 10, 30)
    assert sla.periodic_update_due_at == berlin(2026, 3, 4, 11, 0)


def test_a_warning_comes_before_the_breach_and_each_fires_once(gold, write_in, lead):
    conversation = write_in(berlin(2026, 3, 4, 10, 0))

    assert services.sla_check(now=berlin(2026, 3, 4, 11, 30)) == 0
    assert services.sla_check(now=berlin(2026, 3, 4, 11, 50)) == 1
    assert services.sla_check(now=berlin(2026, 3, 4, 11, 55)) == 0
    warning = Event.objects.get(name="sla.warning")
    assert warning.payload["target"] == "first_response" and warning.payload["conversation_id"] == conversation.pk

    assert services.sla_check(now=berlin(2026, 3, 4, 12, 1)) == 1
    assert services.sla_check(now=berlin(2026, 3, 4, 12, 30)) == 0
    breach = Event.objects.get(name="sla.breached")
    assert breach.payload["due_at"] == "2026-03-04T11:00:00+00:00"
    note = Notification.objects.get(recipient=lead)
    assert note.kind == "sla_breached" and note.text == f"SLA breached on #{conversation.pk}: First response (Gold)"
    assert conversation.messages.filter(text__contains="first response was due").exists()


def test_a_breach_escalates_along_the_team_path_to_the_next_tier(gold, write_in, lead, first_line, on_commit):
    second_line = team_create(name="Second line")
    services.escalation_step_save(actor=lead, team=first_line, tier=2, handled_by=second_line)
    gold.escalate_on_breach = True
    gold.save()
    conversation = write_in(berlin(2026, 3, 4, 10, 0))

    services.sla_check(now=berlin(2026, 3, 4, 12, 1))

    conversation.refresh_from_db()
    assert (conversation.tier, conversation.team) == (2, second_line)
    assert conversation.messages.filter(text__startswith="rule 'SLA: Gold' escalated this to tier 2 (Second line)").exists()


def test_escalating_needs_the_fields_the_path_requires(write_in, lead, agent, first_line):
    second_line = team_create(name="Second line")
    services.escalation_step_save(actor=lead, team=first_line, tier=2, handled_by=second_line,
                                  required_fields=["order_number"])
    conversation = write_in(berlin(2026, 3, 4, 10, 0))
    from parley.conversations.services import conversation_escalate

    with pytest.raises(ValidationFailed, match="Fill in order_number before escalating to tier 2"):
        conversation_escalate(conversation=conversation, actor=agent)
    conversation_update(conversation=conversation, actor=agent, custom_fields={"order_number": "A-1"})
    conversation_escalate(conversation=conversation, actor=agent)

    conversation.refresh_from_db()
    assert (conversation.tier, conversation.team) == (2, second_line)


def test_a_policy_without_targets_or_with_unknown_priorities_is_refused(lead):
    with pytest.raises(ValidationFailed) as refused:
        services.sla_policy_save(actor=lead, name="Empty", priorities=["asap"])
    assert refused.value.extra == {"targets": "set at least one target", "priorities": "unknown: asap"}


def test_a_calendar_with_bad_hours_is_refused_and_nothing_is_stored(lead):
    with pytest.raises(ValidationFailed, match="ends before it starts"):
        calendar_save(actor=lead, name="Night", time_zone="UTC", hours={"mon": [["22:00", "06:00"]]})
    with pytest.raises(ValidationFailed, match="Unknown time zone"):
        calendar_save(actor=lead, name="Mars", time_zone="Mars/Olympus", hours={"mon": [["09:00", "17:00"]]})
    from parley.routing.models import BusinessCalendar
    assert not BusinessCalendar.objects.exists()


def test_solving_clears_the_due_times(gold, write_in, agent, on_commit):
    conversation = write_in(berlin(2026, 3, 4, 10, 0))
    with on_commit():
        conversation_set_status(conversation=conversation, actor=agent, status=Status.SOLVED)

    assert not ConversationSla.objects.filter(conversation=conversation).exists()
    assert services.sla_check(now=berlin(2026, 3, 9, 10, 0) + timedelta(days=30)) == 0
