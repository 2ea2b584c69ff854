"""Agent replies leave through the inbox's SMTP server (an aiosmtpd sink on loopback)."""
import pytest

from mailmaker import mail
from parley.channels.base import InboundAttachment
from parley.channels.email.services import email_store
from parley.conversations.models import Conversation, DeliveryStatus
from parley.conversations.services import message_reply

pytestmark = pytest.mark.servers


@pytest.fixture
def conversation(make_email_inbox, smtp_sink, on_commit):
    inbox = make_email_inbox(smtp_port=smtp_sink.port)
    with on_commit():
        email_store(inbox=inbox, raw=mail(message_id="first@customer.test", cc="Bob Boss <bob@customer.test>"))
    return Conversation.objects.get()


def test_an_agent_reply_reaches_the_customer_threaded_with_html_text_attachment_and_cc(conversation, smtp_sink, agent, on_commit):
    agent.signature = "Sam from Example"
    agent.save()

    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.",
                              attachments=[InboundAttachment("label.pdf", "application/pdf", b"%PDF-1.4 label")])

    reply.refresh_from_db()
    (mail_from, recipients, sent), = smtp_sink.messages
    assert reply.delivery_status == DeliveryStatus.SENT
    assert sent["From"] == "Example Support <support@example.test>"
    assert sent["To"] == "rita@customer.test" and sent["Cc"] == "bob@customer.test"
    assert sorted(recipients) == ["bob@customer.test", "rita@customer.test"]
    assert sent["Subject"] == f"Re: Order 1001 is late [#{conversation.pk}]"
    assert sent["Message-ID"] == f"<{reply.external_id}>"
    assert sent["In-Reply-To"] == "<first@customer.test>"
    assert sent["References"] == "<first@customer.test>"
    assert "It ships today." in sent.get_body(("plain",)).get_content()
    assert "Sam from Example" in sent.get_body(("plain",)).get_content()
    assert "<p>It ships today.</p>" in sent.get_body(("html",)).get_content()
    (attachment,) = sent.iter_attachments()
    assert attachment.get_filename() == "label.pdf" and attachment.get_content() == b"%PDF-1.4 label"


def test_a_second_reply_references_the_whole_thread(conversation, smtp_sink, agent, on_commit):
    with on_commit():
        first = message_reply(conversation=conversation, author=agent, text="Looking into it.")
    with on_commit():
        message_reply(conversation=conversation, author=agent, text="It ships today.")

    first.refresh_from_db()
    assert smtp_sink.messages[1][2]["References"] == f"<first@customer.test> <{first.external_id}>"


def test_a_reply_the_server_refuses_with_550_is_marked_failed(conversation, smtp_sink, agent, on_commit):
    smtp_sink.refuse_with = "550 5.1.1 User unknown"

    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "550" in reply.failure_reason and "User unknown" in reply.failure_reason


def test_a_reply_stays_queued_for_retry_when_the_server_is_unreachable(conversation, agent, on_commit, closed_port):
    inbox = conversation.inbox
    inbox.config["smtp"]["port"] = closed_port
    inbox.save()

    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.QUEUED
    assert reply.next_attempt_at is not None
    assert "unreachable" in reply.failure_reason
