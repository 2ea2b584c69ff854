"""Agent replies leave through the inbox's SMTP server (an aiosmtpd sink on loopback)."""
import pytest
from django.utils import timezone

from mailmaker import mail
from parley.channels.base import InboundAttachment
from parley.channels.email.services import email_store
from parley.conversations.models import Conversation, DeliveryStatus
from parley.conversations.services import message_reply
from parley.conversations.services.outbound import DELIVER_QUEUE
from parley.core.models import Job

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
    assert Job.objects.get(queue=DELIVER_QUEUE, target_id=reply.pk).due_at > timezone.now()  # a retry is scheduled
    assert "unreachable" in reply.failure_reason


@pytest.fixture
def reply_to_conversation(make_email_inbox, smtp_sink, on_commit):
    def make(reply_to: str, **options):
        inbox = make_email_inbox(smtp_port=smtp_sink.port, **options)
        with on_commit():
            email_store(inbox=inbox, raw=mail(message_id="form@customer.test", reply_to=reply_to))
        return Conversation.objects.get()

    return make


def test_given_a_mail_with_reply_to_when_an_agent_replies_then_it_goes_there_and_the_contact_stays_the_sender(
        reply_to_conversation, smtp_sink, agent, on_commit):
    conversation = reply_to_conversation("Rita at home <Rita.Home@personal.test>")

    with on_commit():
        message_reply(conversation=conversation, author=agent, text="It ships today.")

    (_, recipients, sent), = smtp_sink.messages
    assert recipients == ["rita.home@personal.test"] and sent["To"] == "rita.home@personal.test"
    assert conversation.contact.email == "rita@customer.test"
    assert list(conversation.contact.identities.values_list("source_id", flat=True)) == ["rita@customer.test"]
    assert conversation.messages.get(direction="in").metadata["reply_to"] == ["rita.home@personal.test"]


def test_a_reply_to_naming_the_inbox_itself_is_ignored_so_replies_never_loop_back(
        reply_to_conversation, smtp_sink, agent, on_commit):
    conversation = reply_to_conversation("support@example.test")

    with on_commit():
        message_reply(conversation=conversation, author=agent, text="It ships today.")

    assert [recipients for _, recipients, _ in smtp_sink.messages] == [["rita@customer.test"]]


def test_the_acknowledgement_of_a_new_conversation_goes_to_the_reply_to(reply_to_conversation, smtp_sink):
    reply_to_conversation("rita.home@personal.test", auto_acknowledge=True)

    (_, recipients, acknowledgement), = smtp_sink.messages
    assert recipients == ["rita.home@personal.test"]
    assert acknowledgement["Auto-Submitted"] == "auto-replied"


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf"
                    "c0f01f0005000200d5e1d2e10000000049454e44ae426082")


def test_an_inline_image_travels_in_multipart_related_with_the_html_that_shows_it_and_files_stay_attached(
        conversation, smtp_sink, agent, on_commit):
    with on_commit():
        message_reply(conversation=conversation, author=agent, text="Here is where to find the label.",
                      html='<p>Here is where to find the label:</p><p><img src="cid:label-spot@parley" alt="label"></p>',
                      attachments=[InboundAttachment("spot.png", "image/png", PNG, content_id="label-spot@parley"),
                                   InboundAttachment("label.pdf", "application/pdf", b"%PDF-1.4 label")])

    (_, _, sent), = smtp_sink.messages
    assert sent.get_content_type() == "multipart/mixed"
    related, pdf = sent.get_payload()
    assert related.get_content_type() == "multipart/related"
    alternative, image = related.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert 'src="cid:label-spot@parley"' in sent.get_body(("html",)).get_content()
    assert image["Content-ID"] == "<label-spot@parley>"
    assert image.get_content_disposition() == "inline" and image.get_content() == PNG
    assert pdf.get_content_disposition() == "attachment" and pdf.get_filename() == "label.pdf"


def test_a_reply_with_only_inline_images_is_multipart_related_at_the_top(conversation, smtp_sink, agent, on_commit):
    with on_commit():
        message_reply(conversation=conversation, author=agent, text="See the picture.",
                      html='<p><img src="cid:spot@parley"></p>',
                      attachments=[InboundAttachment("spot.png", "image/png", PNG, content_id="spot@parley")])

    (_, _, sent), = smtp_sink.messages
    assert sent.get_content_type() == "multipart/related"
    assert [p.get_content_type() for p in sent.get_payload()] == ["multipart/alternative", "image/png"]
    assert sent.get_payload()[1]["Content-ID"] == "<spot@parley>"


def test_a_reply_sent_again_after_a_worker_crash_carries_the_same_message_id(conversation, smtp_sink, agent, on_commit):
    """The server took the mail, then the worker died before recording it: the resend is recognisably the same mail."""
    from parley.conversations.services import message_deliver

    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.")
    Job.objects.create(queue=DELIVER_QUEUE, target_id=reply.pk, due_at=timezone.now(), created_at=timezone.now())
    type(reply).objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.QUEUED)  # as if never recorded

    message_deliver(message_id=reply.pk)

    first, second = (sent["Message-ID"] for _, _, sent in smtp_sink.messages)
    assert first == second
    reply.refresh_from_db()
    assert f"<{reply.external_id}>" == first


def test_an_acknowledgement_is_an_automatic_reply_on_the_conversation_sent_once(make_email_inbox, smtp_sink, on_commit):
    from parley.channels.services import conversation_acknowledge

    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)
    with on_commit():
        email_store(inbox=inbox, raw=mail(message_id="first@customer.test"))
    conversation = Conversation.objects.get()
    with on_commit():
        assert conversation_acknowledge(conversation_id=conversation.pk) is None  # a second delivery of the event

    (acknowledgement,) = conversation.messages.filter(direction="out", kind="reply")
    assert acknowledgement.metadata["automatic"] == "acknowledgement"
    assert acknowledgement.metadata["actor"]["kind"] == "system"
    assert acknowledgement.delivery_status == DeliveryStatus.SENT
    (_, _, sent), = smtp_sink.messages
    assert sent["Message-ID"] == f"<{acknowledgement.external_id}>"
    conversation.refresh_from_db()
    assert conversation.first_response_at is None and conversation.status == "new"
