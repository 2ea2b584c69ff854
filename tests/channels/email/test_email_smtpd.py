"""The built-in SMTP receiver, driven with smtplib over loopback."""
import smtplib

import pytest

from mailmaker import dsn, mail
from parley.channels.models import InboundEnvelope
from parley.conversations.models import Conversation, DeliveryStatus, Message
from parley.conversations.services import message_reply

pytestmark = pytest.mark.servers


def send(port: int, raw: bytes, *, to=("support@example.test",), mail_from="rita@customer.test"):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        return client.sendmail(mail_from, list(to), raw)


def test_given_an_email_inbox_when_a_customer_mails_it_then_a_conversation_opens(receiver, make_email_inbox):
    inbox = make_email_inbox()

    send(receiver, mail(message_id="first@customer.test"))

    conversation = Conversation.objects.get(inbox=inbox)
    assert conversation.subject == "Order 1001 is late"
    assert conversation.contact.email == "rita@customer.test"
    assert conversation.contact.name == "Rita Ruiz"
    assert conversation.messages.get().text == "Hello, my order 1001 has not arrived."


def test_mail_to_a_plus_address_in_any_case_reaches_the_inbox(receiver, make_email_inbox):
    inbox = make_email_inbox()

    send(receiver, mail(to="Help+Orders@Example.TEST"), to=["Help+Orders@Example.TEST"])

    assert Conversation.objects.filter(inbox=inbox).count() == 1


def test_an_unknown_recipient_is_refused_with_550_and_nothing_is_stored(receiver, make_email_inbox):
    make_email_inbox()

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver, mail(to="nobody@example.test"), to=["nobody@example.test"])

    code, text = refused.value.recipients["nobody@example.test"]
    assert code == 550 and b"No such mailbox here" in text
    assert not InboundEnvelope.objects.exists()


def test_a_mail_over_the_size_limit_is_refused_with_552(receiver, make_email_inbox):
    make_email_inbox()
    huge = mail(attachments=[("big.bin", "application/octet-stream", b"x" * 2_500_000)])

    with pytest.raises(smtplib.SMTPResponseException) as refused:
        send(receiver, huge)

    assert refused.value.smtp_code == 552
    assert not InboundEnvelope.objects.exists()


def test_a_reply_with_in_reply_to_threads_into_the_same_conversation(receiver, make_email_inbox):
    make_email_inbox()
    send(receiver, mail(message_id="first@customer.test"))

    send(receiver, mail(subject="Re: Order 1001 is late", text="Any news?", message_id="second@customer.test",
                        in_reply_to="first@customer.test", references=["first@customer.test"]))

    conversation = Conversation.objects.get()
    assert list(conversation.messages.filter(direction="in").values_list("text", flat=True)) == [
        "Hello, my order 1001 has not arrived.", "Any news?"]


def test_a_cc_d_person_replying_joins_the_same_conversation_as_a_participant(receiver, make_email_inbox):
    make_email_inbox()
    send(receiver, mail(cc="Bob Boss <bob@customer.test>", message_id="first@customer.test"))

    send(receiver, mail(sender="Bob Boss <bob@customer.test>", cc="rita@customer.test", subject="Re: Order 1001 is late",
                        text="I need this too.", message_id="bob@customer.test", in_reply_to="first@customer.test"),
         mail_from="bob@customer.test")

    conversation = Conversation.objects.get()
    assert conversation.messages.filter(direction="in").count() == 2
    assert list(conversation.participants.values_list("email", flat=True)) == ["bob@customer.test"]
    assert conversation.contact.email == "rita@customer.test"


def test_a_new_conversation_is_acknowledged_but_an_out_of_office_reply_is_not(receiver, make_email_inbox, smtp_sink):
    make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)

    send(receiver, mail(message_id="first@customer.test"))
    send(receiver, mail(sender="Otto <otto@customer.test>", subject="Automatic reply: Your order",
                        text="I am out of the office until Monday.", headers={"Auto-Submitted": "auto-replied"}),
         mail_from="otto@customer.test")

    assert Conversation.objects.count() == 2
    assert [rcpt for _, rcpt, _ in smtp_sink.messages] == [["rita@customer.test"]]
    acknowledgement = smtp_sink.messages[0][2]
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["In-Reply-To"] == "<first@customer.test>"
    assert f"[#{Conversation.objects.get(contact__email='rita@customer.test').pk}]" in acknowledgement["Subject"]


def test_a_bounce_marks_the_reply_failed_and_opens_no_conversation(receiver, make_email_inbox, smtp_sink, agent):
    make_email_inbox(smtp_port=smtp_sink.port)
    send(receiver, mail(message_id="first@customer.test"))
    conversation = Conversation.objects.get()
    reply = message_reply(conversation=conversation, author=agent, text="It ships today.")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT

    send(receiver, dsn(original_message_id=reply.external_id), mail_from="")

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "5.1.1" in reply.failure_reason
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=conversation, kind="event", text__contains="could not be delivered").exists()


def delayed_dsn(original_message_id: str) -> bytes:
    # What Postfix sends after a few hours of 4xx answers: a warning, the mail is still queued.
    return dsn(original_message_id=original_message_id, action="delayed", status="4.4.1",
               diagnostic="X-Postfix; connect to mx.customer.test[203.0.113.5]:25: Connection timed out",
               subject="Delayed Mail (still being retried)")


@pytest.fixture
def sent_reply(receiver, make_email_inbox, smtp_sink, agent):
    make_email_inbox(smtp_port=smtp_sink.port)
    send(receiver, mail(message_id="first@customer.test"))
    reply = message_reply(conversation=Conversation.objects.get(), author=agent, text="It ships today.")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    return reply


def test_a_delayed_delivery_report_notes_the_delay_on_the_conversation_and_leaves_the_reply_sent(receiver, sent_reply):
    send(receiver, delayed_dsn(sent_reply.external_id), mail_from="")

    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == DeliveryStatus.SENT and sent_reply.failure_reason == ""
    note = Message.objects.get(conversation=sent_reply.conversation, kind="event", text__icontains="deliver")
    assert note.text == ("Delivery to rita@customer.test is delayed: "
                         "connect to mx.customer.test[203.0.113.5]:25: Connection timed out")
    assert Conversation.objects.count() == 1


def test_after_a_delay_the_final_failure_still_marks_the_reply_failed(receiver, sent_reply):
    send(receiver, delayed_dsn(sent_reply.external_id), mail_from="")
    send(receiver, dsn(original_message_id=sent_reply.external_id), mail_from="")

    sent_reply.refresh_from_db()
    assert sent_reply.delivery_status == DeliveryStatus.FAILED
    assert "5.1.1" in sent_reply.failure_reason
    events = list(Message.objects.filter(conversation=sent_reply.conversation, kind="event", text__icontains="deliver")
                  .order_by("pk").values_list("text", flat=True))
    assert [e.split(":")[0] for e in events] == ["Delivery to rita@customer.test is delayed", "Reply could not be delivered"]
