"""The API channel: another system posts its customers' messages and receives agents' replies by signed callback."""
import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from parley.channels.models import InboundEnvelope
from parley.conversations.models import DeliveryStatus, Message, MessageKind
from parley.conversations.services.outbound import DELIVER_QUEUE, MAX_DELIVERY_ATTEMPTS
from parley.core.models import Job


def inbound(key="order-77-msg-1", **extra):
    return {"contact": {"source_id": "shop-user-9", "name": "Ines Ortega", "email": "ines@example.com"},
            "text": "Where is order 77?", "idempotency_key": key, **extra}


def test_a_posted_message_is_accepted_processed_and_a_repeat_returns_the_first_result(api_as, agent, api_inbox, on_commit):
    api = api_as(agent)

    with on_commit():
        first = api.post(f"/inboxes/{api_inbox.pk}/messages", inbound())
    again = api.post(f"/inboxes/{api_inbox.pk}/messages", inbound(text="a retry with other text"))

    assert first.status_code == 202, first.json()
    assert again.status_code == 200
    result = again.json()
    assert result["envelope_id"] == first.json()["envelope_id"] and result["status"] == "processed"
    message = Message.objects.get(pk=result["message_id"])
    assert (message.text, message.conversation_id) == ("Where is order 77?", result["conversation_id"])
    assert message.conversation.contact.name == "Ines Ortega"
    assert Message.objects.filter(direction="in").count() == 1


def test_a_later_message_continues_the_named_conversation(api_as, agent, api_inbox, on_commit):
    api = api_as(agent)
    with on_commit():
        api.post(f"/inboxes/{api_inbox.pk}/messages", inbound("k1"))
    conversation_id = api.post(f"/inboxes/{api_inbox.pk}/messages", inbound("k1")).json()["conversation_id"]

    with on_commit():
        api.post(f"/inboxes/{api_inbox.pk}/messages", inbound("k2", text="Any news?", conversation_id=conversation_id))

    texts = [m["text"] for m in api.get(f"/conversations/{conversation_id}/messages").json()["items"]]
    assert texts == ["Where is order 77?", "Any news?"]


def test_an_oversized_attachment_is_refused_with_413_before_anything_is_stored(api_as, agent, api_inbox, settings):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 1000
    big = {"filename": "photo.jpg", "content_type": "image/jpeg", "content_base64": base64.b64encode(b"\xff" * 1001).decode()}

    response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", inbound(attachments=[big]))

    assert response.status_code == 413
    assert "photo.jpg" in response.json()["message"] and response.json()["extra"]["limit"] == 1000
    assert not InboundEnvelope.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"contact": {"name": "no id"}, "text": "hi", "idempotency_key": "k"}, "contact.source_id"),
    ({"contact": {"source_id": "x", "kind": "carrier_pigeon"}, "text": "hi", "idempotency_key": "k"}, "contact.kind"),
    ({"contact": {"source_id": "x"}, "text": "hi"}, "idempotency_key"),
    ({"contact": {"source_id": "x"}, "text": "", "idempotency_key": "k"}, "body"),
    ({"contact": {"source_id": "x"}, "text": "hi", "idempotency_key": "k", "priority": "high"}, "priority"),
    ({"contact": {"source_id": "x"}, "text": "hi", "idempotency_key": "k", "conversation_id": 10**20}, "conversation_id"),
])
def test_a_malformed_post_is_refused_naming_the_field_and_stores_nothing(api_as, agent, api_inbox, body, field):
    response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", body)

    assert response.status_code == 422, response.content
    assert field in response.json()["extra"]
    assert not InboundEnvelope.objects.exists()


def test_only_api_inboxes_accept_posted_messages(api_as, agent, webform_inbox):
    response = api_as(agent).post(f"/inboxes/{webform_inbox.pk}/messages", inbound())

    assert response.status_code == 422
    assert "api" in response.json()["message"] and "inbox_id" in response.json()["extra"]
    assert not InboundEnvelope.objects.exists()


def test_a_conversation_of_another_inbox_cannot_be_continued(api_as, agent, api_inbox, webform_inbox):
    from parley.contacts.models import Contact
    from parley.conversations.services import conversation_create

    elsewhere = conversation_create(inbox=webform_inbox, contact=Contact.objects.create(name="X"))

    response = api_as(agent).post(f"/inboxes/{api_inbox.pk}/messages", inbound(conversation_id=elsewhere.pk))

    assert response.status_code == 422 and "conversation_id" in response.json()["extra"]
    assert not InboundEnvelope.objects.exists()


class CallbackReceiver:
    """A real HTTP server on loopback standing in for the integrating system's callback endpoint."""

    def __init__(self, status: int):
        self.status = status
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/parley-callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def callback_inbox(api_as, admin):
    """Return a factory: an API inbox whose callbacks go to `receiver`, created over the API (to learn its secret)."""
    def make(receiver: CallbackReceiver) -> dict:
        return api_as(admin).post("/inboxes", {"name": "Shop", "kind": "api", "config": {"callback_url": receiver.url}}).json()

    return make


def _conversation_on(api, inbox_id, on_commit) -> int:
    with on_commit():
        api.post(f"/inboxes/{inbox_id}/messages", inbound())
    return api.post(f"/inboxes/{inbox_id}/messages", inbound()).json()["conversation_id"]


def test_an_agents_reply_reaches_the_callback_signed_with_the_inbox_secret(api_as, agent, callback_inbox, on_commit):
    api = api_as(agent)
    with CallbackReceiver(200) as receiver:
        inbox = callback_inbox(receiver)
        conversation_id = _conversation_on(api, inbox["id"], on_commit)

        with on_commit():
            reply = api.post(f"/conversations/{conversation_id}/messages", {"kind": "reply", "text": "Shipped today!"}).json()

    headers, body = receiver.requests[0]
    expected = hmac.new(inbox["signing_secret"].encode(), headers["x-parley-timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-parley-signature"], "sha256=" + expected)
    sent = json.loads(body)
    assert (sent["message"]["id"], sent["message"]["text"], sent["message"]["conversation_id"]) == (reply["id"], "Shipped today!", conversation_id)
    assert Message.objects.get(pk=reply["id"]).delivery_status == DeliveryStatus.DELIVERED


def test_a_failing_callback_keeps_the_reply_queued_then_fails_it_visibly_after_the_last_attempt(
        api_as, agent, callback_inbox, on_commit, run_due_jobs):
    api = api_as(agent)
    with CallbackReceiver(500) as receiver:
        conversation_id = _conversation_on(api, callback_inbox(receiver)["id"], on_commit)
        with on_commit():
            reply_id = api.post(f"/conversations/{conversation_id}/messages", {"kind": "reply", "text": "Hello"}).json()["id"]

        reply = Message.objects.get(pk=reply_id)
        job = Job.objects.get(queue=DELIVER_QUEUE, target_id=reply_id)
        assert (reply.delivery_status, job.attempts) == (DeliveryStatus.QUEUED, 1)
        assert job.due_at > timezone.now() and "500" in reply.failure_reason
        for _ in range(MAX_DELIVERY_ATTEMPTS - 1):
            assert reply.delivery_status == DeliveryStatus.QUEUED
            run_due_jobs()
            reply.refresh_from_db()

    assert len(receiver.requests) == MAX_DELIVERY_ATTEMPTS
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert Job.objects.get(queue=DELIVER_QUEUE, target_id=reply_id).dead_at is not None
    timeline = api.get(f"/conversations/{conversation_id}/messages").json()["items"]
    assert any(m["kind"] == MessageKind.EVENT and "could not be delivered" in m["text"] for m in timeline)


def test_a_callback_refusing_with_4xx_fails_the_reply_at_once(api_as, agent, callback_inbox, on_commit):
    api = api_as(agent)
    with CallbackReceiver(410) as receiver:
        conversation_id = _conversation_on(api, callback_inbox(receiver)["id"], on_commit)
        with on_commit():
            reply_id = api.post(f"/conversations/{conversation_id}/messages", {"kind": "reply", "text": "Hello"}).json()["id"]

    reply = Message.objects.get(pk=reply_id)
    assert (reply.delivery_status, len(receiver.requests)) == (DeliveryStatus.FAILED, 1)
    assert "410" in reply.failure_reason
    assert Job.objects.get(queue=DELIVER_QUEUE, target_id=reply_id).dead_at is not None
