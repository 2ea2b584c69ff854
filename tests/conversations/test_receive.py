from parley.channels.base import InboundMessage
from parley.channels.models import EnvelopeStatus
from parley.channels.services import envelope_store
from parley.conversations.models import DeliveryStatus, Status
from parley.conversations.services import message_receive, message_reply


def inbound(external_id="m1", source_id="cust-1", text="My order is late", **kw):
    return InboundMessage(external_id=external_id, identity_kind="external_id", source_id=source_id, text=text, **kw)


def test_a_new_customer_message_opens_a_conversation_for_a_new_contact(api_inbox):
    message = message_receive(inbox=api_inbox, inbound=inbound(contact_name="Rita Ruiz"))

    conversation = message.conversation
    assert conversation.status == Status.NEW
    assert conversation.contact.name == "Rita Ruiz"
    assert conversation.subject == "My order is late"
    assert conversation.inbound_count == 1


def test_the_same_provider_id_twice_stores_one_message(api_inbox):
    first = message_receive(inbox=api_inbox, inbound=inbound())
    second = message_receive(inbox=api_inbox, inbound=inbound())

    assert first.pk == second.pk
    assert first.conversation.messages.count() == 1


def test_a_chat_like_channel_continues_the_open_conversation(api_inbox):
    first = message_receive(inbox=api_inbox, inbound=inbound("m1"))
    second = message_receive(inbox=api_inbox, inbound=inbound("m2", text="Any news?"))

    assert second.conversation_id == first.conversation_id


def test_a_customer_reply_reopens_a_solved_conversation(api_inbox, agent, on_commit):
    first = message_receive(inbox=api_inbox, inbound=inbound("m1"))
    conversation = first.conversation
    conversation.status = Status.SOLVED
    conversation.save()

    message_receive(inbox=api_inbox, inbound=inbound("m2", conversation_id=conversation.pk))

    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.reopened_count == 1


def test_an_envelope_is_stored_once_and_processed_into_a_message(api_inbox, on_commit):
    payload = {"contact": {"source_id": "c-9", "name": "Kim"}, "text": "Hello"}
    with on_commit():
        envelope, created = envelope_store(inbox=api_inbox, external_id="k1", payload=payload)
    again, created_again = envelope_store(inbox=api_inbox, external_id="k1", payload=payload)

    envelope.refresh_from_db()
    assert created and not created_again and again.pk == envelope.pk
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert envelope.message.text == "Hello"


def test_a_malformed_envelope_is_kept_and_marked_failed(api_inbox, on_commit):
    with on_commit():
        envelope, _ = envelope_store(inbox=api_inbox, external_id="bad", payload={"text": "no contact"})

    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.FAILED
    assert "source_id" in envelope.last_error


def test_a_reply_is_queued_then_delivered_by_the_outbox(api_inbox, agent, on_commit):
    conversation = message_receive(inbox=api_inbox, inbound=inbound()).conversation
    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="On its way!")

    reply.refresh_from_db()
    conversation.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert conversation.first_response_at is not None
    assert conversation.assignee == agent


def test_someone_else_writing_into_a_conversation_takes_part_in_it_whether_automatic_or_not(api_inbox):
    conversation = message_receive(inbox=api_inbox, inbound=inbound("m1")).conversation

    message_receive(inbox=api_inbox, inbound=inbound("m2", source_id="colleague", conversation_id=conversation.pk))
    message_receive(inbox=api_inbox, inbound=inbound("m3", source_id="robot", conversation_id=conversation.pk,
                                                     metadata={"auto_reply": True}))

    assert sorted(conversation.participants.values_list("name", flat=True)) == ["colleague", "robot"]


def test_any_channel_marking_a_message_automatic_keeps_the_conversation_where_it_was(api_inbox):
    conversation = message_receive(inbox=api_inbox, inbound=inbound("m1")).conversation
    conversation.status = Status.PENDING
    conversation.save()

    message_receive(inbox=api_inbox, inbound=inbound("m2", conversation_id=conversation.pk, metadata={"auto_reply": True}))

    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING and conversation.inbound_count == 2
