"""Delivery reports: a provider's status callbacks move a reply forward only, once, and failures show."""
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pigeon import SECRET, pigeon_signature

from parley.channels.base import DeliveryReport
from parley.channels.models import EnvelopeStatus, InboundEnvelope
from parley.channels.services import delivery_report_apply
from parley.channels.base import InboundMessage
from parley.conversations.models import DeliveryStatus, Message, MessageKind
from parley.conversations.services import message_receive, message_reply, message_set_delivery
from parley.core.errors import ValidationFailed
from parley.core.models import Job

counter = iter(range(1, 10_000))


def post(client, url, body):
    raw = json.dumps(body).encode()
    return client.post(url, raw, content_type="application/json", headers={"X-Pigeon-Signature": pigeon_signature(SECRET, raw)})


def status(client, message, value, reason=""):
    """Post a Pigeon status callback for `message` and let the worker apply it."""
    n = next(counter)
    response = post(client, "/channels/pigeon/status/", {"account": "AC-1", "event_id": f"ev-{n}", "type": "status",
                                                         "message_id": message.external_id, "status": value, "reason": reason})
    assert response.status_code == 200


@pytest.fixture
def reply(client, pigeon_inbox, agent, on_commit):
    """A reply the outbox has handed to Pigeon (status sent, with Pigeon's id)."""
    with on_commit():
        post(client, f"/channels/pigeon/{pigeon_inbox.key}/updates/", {"batch_id": "b-0", "events": [
            {"type": "message", "id": "m-0", "from": "pigeon:rita", "text": "Where is my parcel?"}]})
    conversation = pigeon_inbox.conversations.get()
    with on_commit():
        sent = message_reply(conversation=conversation, author=agent, text="It left the loft this morning.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT and sent.external_id == f"pg-{sent.pk}"
    return sent


def changes(published, message):
    return [p["status"] for name, p in published if name == "message.delivery_changed" and p["message_id"] == message.pk]


def test_status_callbacks_move_a_reply_forward_and_announce_each_step(client, reply, published, on_commit):
    with on_commit():
        status(client, reply, "delivered")
        status(client, reply, "read")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.READ
    assert changes(published, reply) == ["delivered", "read"]
    assert set(reply.metadata["delivery"]) == {"delivered", "read"}


def test_a_late_callback_never_moves_a_reply_back(client, reply, published, on_commit):
    with on_commit():
        status(client, reply, "read")
        status(client, reply, "delivered")
        status(client, reply, "sent")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.READ
    assert changes(published, reply) == ["read"]


def test_a_repeated_callback_changes_nothing_and_emits_nothing(client, reply, published, on_commit):
    with on_commit():
        status(client, reply, "delivered")
        status(client, reply, "delivered")

    assert changes(published, reply) == ["delivered"]
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).count() == 3


def test_a_failure_shows_on_the_conversation_and_is_final(client, reply, published, on_commit):
    with on_commit():
        status(client, reply, "failed", reason="the pigeon was not let in")
        status(client, reply, "delivered")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and reply.failure_reason == "the pigeon was not let in"
    assert changes(published, reply) == ["failed"]
    assert reply.conversation.messages.filter(
        kind=MessageKind.EVENT, text="Reply could not be delivered: the pigeon was not let in").count() == 1


def test_a_failure_after_delivery_is_ignored(client, reply, published, on_commit):
    with on_commit():
        status(client, reply, "delivered")
        status(client, reply, "failed", reason="late noise")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED and reply.failure_reason == ""
    assert not reply.conversation.messages.filter(kind=MessageKind.EVENT, text__contains="could not be delivered").exists()


def test_one_envelope_may_carry_a_message_and_a_report(client, pigeon_inbox, reply, on_commit):
    with on_commit():
        post(client, f"/channels/pigeon/{pigeon_inbox.key}/updates/", {"batch_id": "b-1", "events": [
            {"type": "status", "message_id": reply.external_id, "status": "read"},
            {"type": "message", "id": "m-1", "from": "pigeon:rita", "text": "Got it, thanks!"}]})

    envelope = InboundEnvelope.objects.get(external_id="b-1")
    reply.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED and envelope.message.text == "Got it, thanks!"
    assert reply.delivery_status == DeliveryStatus.READ


def test_a_report_that_arrives_before_the_send_is_recorded_is_kept_and_applied_on_retry(client, reply, on_commit,
                                                                                         run_due_jobs):
    provider_id = reply.external_id
    Message.objects.filter(pk=reply.pk).update(external_id="")
    with on_commit():
        post(client, "/channels/pigeon/status/", {"account": "AC-1", "event_id": "ev-early", "type": "status",
                                                  "message_id": provider_id, "status": "delivered"})
    envelope = InboundEnvelope.objects.get(external_id="ev-early")
    job = Job.objects.get(queue="envelope.process", target_id=envelope.pk)
    assert envelope.status == EnvelopeStatus.RECEIVED and provider_id in envelope.last_error
    assert job.dead_at is None and job.due_at > timezone.now()  # waiting to be tried again

    Message.objects.filter(pk=reply.pk).update(external_id=provider_id)
    run_due_jobs()

    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED


def test_a_report_without_the_providers_message_id_is_refused(pigeon_inbox):
    with pytest.raises(ValidationFailed):
        delivery_report_apply(inbox=pigeon_inbox, report=DeliveryReport(external_id="", status="read"))


def test_set_delivery_follows_the_same_rules(api_inbox, agent):
    conversation = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="api-1", identity_kind="external_id", source_id="cust-1", text="Hello")).conversation
    queued = message_reply(conversation=conversation, author=agent, text="Hi!")
    at = timezone.now() - timedelta(minutes=5)

    message_set_delivery(message=queued, status=DeliveryStatus.SENT, at=at)
    message_set_delivery(message=queued, status=DeliveryStatus.QUEUED)

    queued.refresh_from_db()
    assert queued.delivery_status == DeliveryStatus.SENT and queued.sent_at == at
    with pytest.raises(ValidationFailed):
        message_set_delivery(message=queued, status="lost")
    with pytest.raises(ValidationFailed):
        message_set_delivery(message=conversation.messages.first(), status=DeliveryStatus.READ)
