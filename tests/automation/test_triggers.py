"""Event triggers: conditions over the conversation, actions through the services, attributed to the rule."""
import pytest

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.automation.models import Rule, RuleFiring
from parley.automation.services.library import canned_response_create
from parley.automation.services.rules import automation_handle_event, rule_create, rule_update
from parley.contacts.models import Contact
from parley.conversations.models import MessageKind, Notification
from parley.conversations.services import conversation_set_tags, conversation_update
from parley.core.errors import PermissionDenied, ValidationFailed
from parley.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

REFUND_TAG = {"type": "add_tags", "tags": ["refund"]}


def timeline(conversation):
    return list(conversation.messages.filter(kind__in=[MessageKind.EVENT, MessageKind.NOTE]).values_list("text", flat=True))


def test_a_message_mentioning_a_refund_is_tagged_and_raised_by_the_rule_and_the_timeline_says_so(api_inbox, receive, trigger):
    trigger("Refunds are urgent", events=["message.received"],
            conditions=[{"field": "message.text", "op": "contains", "value": "REFUND"}],
            actions=[REFUND_TAG, {"type": "set_priority", "priority": "urgent"}])

    conversation = receive(api_inbox, "Hello, I would like a refund for order 12").conversation

    conversation.refresh_from_db()
    assert conversation.priority == "urgent"
    assert list(conversation.tags.values_list("name", flat=True)) == ["refund"]
    assert "rule 'Refunds are urgent' changed priority to urgent." in timeline(conversation)


def test_a_message_that_does_not_match_changes_nothing(api_inbox, receive, trigger):
    trigger("Refunds are urgent", events=["message.received"],
            conditions=[{"field": "message.text", "op": "contains", "value": "refund"}], actions=[REFUND_TAG])

    conversation = receive(api_inbox, "Where is my parcel?").conversation

    assert not conversation.tags.exists()
    assert not RuleFiring.objects.exists()


def test_all_needs_every_condition_and_any_needs_one(api_inbox, receive, trigger):
    conditions = [{"field": "message.text", "op": "contains", "value": "parcel"},
                  {"field": "contact.attributes.plan", "op": "is", "value": "gold"}]
    trigger("Both", events=["message.received"], conditions=conditions, actions=[{"type": "add_tags", "tags": ["both"]}])
    trigger("Either", events=["message.received"], match="any", conditions=conditions,
            actions=[{"type": "add_tags", "tags": ["either"]}])

    first = receive(api_inbox, "Where is my parcel?").conversation
    assert sorted(first.tags.values_list("name", flat=True)) == ["either"]

    Contact.objects.filter(pk=first.contact_id).update(custom_attributes={"plan": "Gold"})
    second = receive(api_inbox, "Where is my parcel now?", source_id="cust-1", subject="again").conversation
    assert sorted(second.tags.values_list("name", flat=True)) == ["both", "either"]


def test_nested_groups_and_custom_fields_are_tested(api_inbox, receive, trigger, agent):
    trigger("Big orders", events=["conversation.updated"], conditions=[
        {"field": "event.changed", "op": "contains", "value": "custom_fields"},
        {"match": "any", "conditions": [{"field": "conversation.custom_fields.order_total", "op": "gte", "value": 500},
                                        {"field": "conversation.tags", "op": "contains", "value": "vip"}]}],
        actions=[{"type": "set_tier", "tier": 2}])
    conversation = receive(api_inbox, "Order question").conversation

    conversation_update(conversation=conversation, actor=agent, custom_fields={"order_total": 120})
    conversation.refresh_from_db()
    assert conversation.tier == 1

    conversation_update(conversation=conversation, actor=agent, custom_fields={"order_total": 900})
    conversation.refresh_from_db()
    assert conversation.tier == 2
    assert "rule 'Big orders' escalated this to tier 2." in timeline(conversation)


def test_a_canned_reply_is_sent_with_the_customers_name_and_the_number(api_inbox, receive, trigger, admin):
    canned_response_create(shortcut="ack", title="Acknowledge", actor=admin,
                           text="Hi {{contact.first_name}}, we got your request #{{conversation.number}}.")
    trigger("Acknowledge", events=["conversation.created"], actions=[{"type": "reply", "canned": "ack"}])

    conversation = receive(api_inbox, "Help", name="Rita Ruiz").conversation

    reply = conversation.messages.get(kind=MessageKind.REPLY, metadata__actor__kind="rule")
    assert reply.text == f"Hi Rita, we got your request #{conversation.pk}."
    assert reply.metadata["actor"] == {"kind": "rule", "id": None, "label": "rule 'Acknowledge'"}


def test_assign_team_note_and_notify_act_as_the_rule(api_inbox, receive, trigger, agent, make_agent):
    billing = team_create(name="Billing", member_ids=[agent.pk])
    lead = make_agent(Role.SUPERVISOR, name="Lena Lead")
    trigger("Invoices to billing", events=["message.received"],
            conditions=[{"field": "message.text", "op": "contains", "value": "invoice"}],
            actions=[{"type": "set_team", "team": "billing"}, {"type": "assign", "agent": agent.email},
                     {"type": "note", "text": "Routed for {{contact.name}}."},
                     {"type": "notify", "agents": ["assignee", lead.email], "text": "An invoice question"}])

    conversation = receive(api_inbox, "My invoice is wrong").conversation

    conversation.refresh_from_db()
    assert (conversation.team, conversation.assignee) == (billing, agent)
    note = conversation.messages.get(kind=MessageKind.NOTE)
    assert (note.text, note.author, note.metadata["actor"]["label"]) == ("Routed for Rita Ruiz.", None, "rule 'Invoices to billing'")
    notified = Notification.objects.filter(conversation=conversation, kind="rule")
    assert sorted(n.recipient.name for n in notified) == ["Lena Lead", "Sam Agent"]
    assert all("An invoice question" in n.text for n in notified)


def test_a_refused_action_is_noted_on_the_conversation_and_the_others_still_run(api_inbox, receive, trigger, make_agent):
    leaver = make_agent(Role.AGENT, name="Leo Leaver")
    trigger("To Leo", events=["conversation.created"],
            actions=[{"type": "assign", "agent": leaver.email}, {"type": "add_tags", "tags": ["routed"]}])
    leaver.is_active = False
    leaver.save()

    conversation = receive(api_inbox, "Hi").conversation

    assert conversation.tags.filter(name="routed").exists()
    assert any(text.startswith("rule 'To Leo' could not assign") and "No active agent" in text for text in timeline(conversation))


def test_an_event_delivered_twice_fires_each_rule_once(api_inbox, receive, trigger):
    trigger("Note it", events=["message.received"], actions=[{"type": "note", "text": "Seen by the rule."}])
    message = receive(api_inbox, "Hello")
    event = Event.objects.filter(name="message.received").latest("pk")

    automation_handle_event("message.received", {**event.payload, "event_id": event.pk})

    assert message.conversation.messages.filter(kind=MessageKind.NOTE).count() == 1


def test_rules_that_trigger_each_other_are_stopped_with_a_visible_note(api_inbox, receive, trigger, settings, agent):
    settings.PARLEY_AUTOMATION_MAX_CHAIN = 6
    trigger("Ping", events=["conversation.updated"], conditions=[{"field": "conversation.tags", "op": "contains", "value": "pong"}],
            actions=[{"type": "remove_tags", "tags": ["pong"]}, {"type": "add_tags", "tags": ["ping"]}])
    trigger("Pong", events=["conversation.updated"], conditions=[{"field": "conversation.tags", "op": "contains", "value": "ping"}],
            actions=[{"type": "remove_tags", "tags": ["ping"]}, {"type": "add_tags", "tags": ["pong"]}])
    conversation = receive(api_inbox, "Hi").conversation

    conversation_set_tags(conversation=conversation, actor=agent, tags=["ping"])

    stops = [t for t in timeline(conversation) if t.startswith("Automation stopped")]
    assert len(stops) == 1
    assert "rules kept triggering each other" in stops[0] and ("'Ping'" in stops[0] or "'Pong'" in stops[0])
    acted = RuleFiring.objects.filter(conversation=conversation, stopped=False)
    assert 6 <= acted.count() <= 6 * 4
    assert max(acted.values_list("depth", flat=True)) <= 6


@pytest.mark.parametrize("definition, place, reason", [
    ({"events": ["message.received"], "actions": []}, "actions", "at least 1"),
    ({"events": ["conversation.exploded"], "actions": [REFUND_TAG]}, "events", "unknown event"),
    ({"events": ["agent.availability_changed"], "actions": [REFUND_TAG]}, "events", "not about a conversation"),
    ({"events": ["message.received"], "conditions": [{"field": "conversation.priority", "op": "is", "value": "huge"}],
      "actions": [REFUND_TAG]}, "conditions.0", "one of low, normal, high, urgent"),
    ({"events": ["message.received"], "conditions": [{"field": "conversation.tags", "op": "gt", "value": 1}],
      "actions": [REFUND_TAG]}, "conditions.0", "cannot be tested with 'gt'"),
    ({"events": ["message.received"], "actions": [{"type": "assign", "agent": "ghost@example.test"}]}, "actions.0", "No active agent"),
    ({"events": ["message.received"], "actions": [{"type": "reply", "canned": "nope"}]}, "actions.0", "No canned response"),
    ({"events": ["message.received"], "actions": [{"type": "note", "text": "For {{contact.shoe_size}}"}]}, "actions.0",
     "Unknown variables: contact.shoe_size"),
    ({"events": ["message.received"], "actions": [{"type": "launch_rocket"}]}, "actions.0", "does not match any of the expected tags"),
])
def test_an_invalid_rule_is_refused_with_the_reason_and_not_stored(admin, definition, place, reason):
    with pytest.raises(ValidationFailed) as refused:
        rule_create(name="Broken", kind="trigger", definition=definition, actor=admin)

    assert reason in refused.value.extra[place]
    assert not Rule.objects.exists()


def test_an_invalid_change_leaves_the_stored_rule_as_it_was(admin, trigger):
    rule = trigger("Refunds", events=["message.received"], actions=[REFUND_TAG])

    with pytest.raises(ValidationFailed):
        rule_update(rule=rule, actor=admin, name="Refunds", is_active=True, position=1,
                    definition={"events": ["message.received"], "actions": [{"type": "set_status", "status": "gone"}]})

    rule.refresh_from_db()
    assert rule.definition["actions"] == [REFUND_TAG]


def test_agents_may_not_write_rules(agent):
    with pytest.raises(PermissionDenied):
        rule_create(name="Mine", kind="trigger", actor=agent, definition={"events": ["message.received"], "actions": [REFUND_TAG]})


def test_bookkeeping_of_events_the_log_dropped_is_pruned_and_time_rule_firings_are_kept(api_inbox, receive, trigger, settings, agent):
    from parley.automation.models import RuleCausedEvent
    from parley.automation.services.rules import automation_prune

    trigger("Tag it", events=["message.received"], actions=[{"type": "add_tags", "tags": ["seen"]}])
    conversation = receive(api_inbox, "Hello").conversation
    kept = RuleFiring.objects.create(rule=Rule.objects.get(), conversation=conversation, anchor_at=conversation.created_at,
                                     fired_at=conversation.created_at)
    assert RuleCausedEvent.objects.exists() and RuleFiring.objects.count() == 2

    Event.objects.all().delete()
    receive(api_inbox, "A later message, in another conversation", source_id="cust-2", subject="later")
    RuleFiring.objects.filter(conversation__subject="later").delete()

    assert automation_prune() >= 2
    assert list(RuleFiring.objects.all()) == [kept]
    assert not RuleCausedEvent.objects.filter(event_id__lt=Event.objects.order_by("pk").first().pk).exists()


def test_a_fact_another_app_provides_can_be_tested_by_a_rule(api_inbox, receive, trigger):
    from parley.automation import definitions, engine

    engine.fact_register("conversation.in_business_hours", label="Within business hours", ops=("is",), choices=(True, False),
                         provide=lambda conversation_id, facts: facts["conversation.channel"] == "api")
    try:
        trigger("After hours", events=["conversation.created"],
                conditions=[{"field": "conversation.in_business_hours", "op": "is", "value": True}],
                actions=[{"type": "add_tags", "tags": ["office-hours"]}])
        conversation = receive(api_inbox, "Hello").conversation
    finally:
        del definitions.FIELDS["conversation.in_business_hours"], engine.FACT_PROVIDERS["conversation.in_business_hours"]

    assert list(conversation.tags.values_list("name", flat=True)) == ["office-hours"]


def test_tags_segments_and_the_message_text_are_read_together_as_facts(api_inbox, receive, agent):
    from parley.automation.engine import facts_for
    from parley.contacts.models import Segment

    message = receive(api_inbox, "Hello, my parcel, again", source_id="c-1", name="Ann")
    first = message.conversation
    conversation_set_tags(conversation=first, actor=agent, tags=["parcel", "late, again", "vip"])
    Segment.objects.create(name="Gold").contacts.add(first.contact)
    Segment.objects.create(name="Europe").contacts.add(first.contact)
    plain = receive(api_inbox, "Hi", source_id="c-2", name="Ben").conversation

    facts = facts_for(first.pk, event="message.received", payload={"message_id": message.pk})
    bare = facts_for(plain.pk, event="message.received", payload={})
    only_status = facts_for(first.pk, event="message.received", payload={"message_id": message.pk},
                            needed=frozenset({"conversation.status"}))

    assert sorted(facts["conversation.tags"]) == ["late, again", "parcel", "vip"]
    assert sorted(facts["contact.segments"]) == ["Europe", "Gold"]
    assert facts["message.text"] == "Hello, my parcel, again"
    assert (bare["conversation.tags"], bare["contact.segments"], bare["message.text"]) == ([], [], "")
    assert "conversation.tags" not in only_status and "message.text" not in only_status
