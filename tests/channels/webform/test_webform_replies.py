"""Agent replies on the web form channel reach the customer by email, with a link to the portal."""
import email
import socket
import uuid

import pytest
from django.utils import timezone
from django.core import mail

from parley.channels.base import InboundMessage
from parley.conversations.models import DeliveryStatus, MessageKind
from parley.conversations.services import message_receive, message_reply
from parley.conversations.services.outbound import DELIVER_QUEUE
from parley.core.models import Job


@pytest.fixture
def form_conversation(webform_inbox):
    inbound = InboundMessage(external_id=f"webform-{uuid.uuid4()}", identity_kind="email", source_id="rita@example.test",
                             contact_email="rita@example.test", contact_name="Rita", subject="Broken zipper",
                             text="The zipper broke.")
    return message_receive(inbox=webform_inbox, inbound=inbound).conversation


@pytest.fixture
def smtp_out(settings, smtp_sink):
    """Send this process's mail over SMTP to the sink; yields the sink's handler."""
    host, port, handler = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    return handler


def test_an_agent_reply_is_emailed_with_a_link_to_the_request(form_conversation, agent, settings, on_commit):
    settings.PARLEY_BASE_URL = "https://help.example.test"
    settings.DEFAULT_FROM_EMAIL = "support@acme.test"

    with on_commit():
        reply = message_reply(conversation=form_conversation, author=agent, text="A new bag is on its way.")

    reply.refresh_from_db()
    (sent,) = mail.outbox
    assert reply.delivery_status == DeliveryStatus.SENT
    assert sent.to == ["rita@example.test"] and sent.from_email == "support@acme.test"
    assert f"#{form_conversation.number}" in sent.subject and "Broken zipper" in sent.subject
    assert "A new bag is on its way." in sent.body
    assert f"https://help.example.test/portal/requests/{form_conversation.pk}/" in sent.body


@pytest.mark.servers
def test_the_reply_travels_over_real_smtp(form_conversation, agent, smtp_out, on_commit):
    with on_commit():
        message_reply(conversation=form_conversation, author=agent, text="A new bag is on its way.")

    (envelope,) = smtp_out.messages
    parsed = email.message_from_bytes(envelope.content)
    assert envelope.rcpt_tos == ["rita@example.test"]
    assert "A new bag is on its way." in parsed.get_payload(decode=True).decode()


@pytest.mark.servers
def test_when_the_mail_server_is_down_the_reply_stays_queued_for_a_retry(form_conversation, agent, settings, on_commit):
    with socket.socket() as unanswered:  # bound but not listening: connections to it are refused
        unanswered.bind(("127.0.0.1", 0))
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = unanswered.getsockname()

        with on_commit():
            reply = message_reply(conversation=form_conversation, author=agent, text="A new bag is on its way.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.QUEUED
    assert Job.objects.get(queue=DELIVER_QUEUE, target_id=reply.pk).due_at > timezone.now()  # a retry is scheduled
    assert "sending the email failed" in reply.failure_reason


@pytest.mark.servers
def test_when_the_mail_server_refuses_the_address_the_reply_fails_visibly(form_conversation, agent, smtp_out, on_commit):
    smtp_out.refused.add("rita@example.test")

    with on_commit():
        reply = message_reply(conversation=form_conversation, author=agent, text="A new bag is on its way.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "refused rita@example.test" in reply.failure_reason
    assert form_conversation.messages.filter(kind=MessageKind.EVENT, text__contains="could not be delivered").exists()
