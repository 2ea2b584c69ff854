"""Each event goes to the groups it concerns: the agent, the inbox, the conversation, the customer — never to everyone."""
from parley.channels.base import InboundMessage
from parley.conversations.services import message_note, message_receive, message_reply
from parley.realtime.push import deliveries


def _received(inbox):
    return message_receive(inbox=inbox, inbound=InboundMessage(
        external_id="e-1", identity_kind="external_id", source_id="c-1", contact_name="Nia Noor", text="Where is order 42?"))


def groups_of(sends) -> list[str]:
    return [group for group, _ in sends]


def test_a_customer_message_reaches_the_conversation_the_inbox_and_the_customer_with_one_id(db, api_inbox):
    message = _received(api_inbox)
    conversation = message.conversation
    payload = {"message_id": message.pk, "conversation_id": conversation.pk, "inbox_id": api_inbox.pk, "contact_id": conversation.contact_id}

    sends = deliveries("message.received", payload)

    assert groups_of(sends) == [f"conversation-{conversation.pk}", f"inbox-{api_inbox.pk}", f"customer-{conversation.contact_id}"]
    assert len({message["id"] for _, message in sends}) == 1
    agents = sends[0][1]
    assert agents["row"]["preview"] == "Where is order 42?" and agents["row"]["waiting"] is True
    customer = sends[2][1]
    assert customer["payload"] == {"conversation_id": conversation.pk, "message_id": message.pk, "event_id": agents["id"]}
    assert "row" not in customer


def test_an_internal_note_never_reaches_the_customer(db, agent, api_inbox):
    conversation = _received(api_inbox).conversation
    note = message_note(conversation=conversation, author=agent, text="VIP, be quick")
    reply = message_reply(conversation=conversation, author=agent, text="On its way")

    note_groups = groups_of(deliveries("message.created", {"message_id": note.pk, "conversation_id": conversation.pk,
                                                           "kind": "note", "direction": "out", "actor_id": agent.pk}))
    reply_sends = deliveries("message.created", {"message_id": reply.pk, "conversation_id": conversation.pk,
                                                 "kind": "reply", "direction": "out", "actor_id": agent.pk})

    assert f"customer-{conversation.contact_id}" not in note_groups
    assert groups_of(reply_sends)[-1] == f"customer-{conversation.contact_id}"
    assert "actor_id" not in reply_sends[-1][1]["payload"]


def test_a_mention_goes_to_the_mentioned_agent_alone(db, agent, api_inbox):
    conversation = _received(api_inbox).conversation

    sends = deliveries("agent.mentioned", {"message_id": 1, "conversation_id": conversation.pk, "agent_id": agent.pk})

    assert groups_of(sends) == [f"agent-{agent.pk}"]


def test_a_delivery_change_concerns_only_those_viewing_the_conversation(db, api_inbox):
    conversation = _received(api_inbox).conversation

    sends = deliveries("message.delivery_changed", {"message_id": 1, "conversation_id": conversation.pk, "status": "sent", "reason": ""})

    assert groups_of(sends) == [f"conversation-{conversation.pk}"]


def test_a_deleted_conversation_tells_its_inbox_to_drop_the_row(db, api_inbox):
    sends = deliveries("conversation.deleted", {"conversation_id": 999_999, "inbox_id": api_inbox.pk})

    assert groups_of(sends) == ["conversation-999999", f"inbox-{api_inbox.pk}"]
    assert sends[1][1]["row"] is None


def test_events_about_no_conversation_go_nowhere(db):
    assert deliveries("contact.merged", {"contact_id": 1, "merged_id": 2, "actor_id": None}) == []
