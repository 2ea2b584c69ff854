"""Services act for people and for the system, the bot, rules and integrations; the timeline and the log say who."""
import pytest
from django.db import transaction

from parley.channels.base import InboundMessage
from parley.conversations.services import conversation_escalate, message_receive, message_reply
from parley.core import actors
from parley.core.errors import PermissionDenied
from parley.core.models import AuditEntry, Event


@pytest.fixture
def conversation(api_inbox):
    inbound = InboundMessage(external_id="a1", identity_kind="external_id", source_id="vip-1", text="Urgent!")
    return message_receive(inbox=api_inbox, inbound=inbound).conversation


def test_a_rule_escalates_and_the_timeline_the_log_and_the_event_name_it(conversation):
    rule = actors.rule("VIP to tier 2")

    with transaction.atomic():
        conversation_escalate(conversation=conversation, actor=rule)

    assert conversation.messages.filter(kind="event", text__startswith="rule 'VIP to tier 2' escalated this to tier 2").exists()
    entry = AuditEntry.objects.get(action="conversation.escalated")
    assert entry.actor is None and entry.changes["by"] == "rule 'VIP to tier 2'"
    event = Event.objects.filter(name="conversation.updated").latest("id")
    assert event.payload["actor"] == {"kind": "rule", "id": None, "label": "rule 'VIP to tier 2'"}


def test_the_bot_answers_as_the_bot_and_takes_no_assignment(conversation):
    reply = message_reply(conversation=conversation, author=actors.bot("Parley Assistant"), text="Here is how to track it.")

    conversation.refresh_from_db()
    assert reply.author is None and reply.metadata["actor"] == {"kind": "bot", "id": None, "label": "Parley Assistant"}
    assert conversation.assignee is None
    assert Event.objects.filter(name="message.created").latest("id").payload["actor"]["kind"] == "bot"


def test_people_still_need_the_permission(conversation, make_agent):
    light = make_agent("light_agent")
    with pytest.raises(PermissionDenied):
        message_reply(conversation=conversation, author=light, text="I may not")


def test_an_actor_is_never_a_person():
    with pytest.raises(ValueError):
        actors.Actor("person", "Ana")
