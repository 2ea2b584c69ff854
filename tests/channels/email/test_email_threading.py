"""Which conversation an inbound email lands in, for the ways real clients write replies."""
import base64
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from mailmaker import mail
from parley.channels.email.sending import loop_token
from parley.channels.models import EnvelopeStatus
from parley.conversations.models import Conversation, Status
from parley.conversations.services import message_reply

GMAIL_REPLY = """Thanks, but it still has not arrived.

On Mon, 3 Mar 2025 at 10:00, Example Support <support@example.test> wrote:
> It ships today.
"""
OUTLOOK_REPLY = """Still nothing here.

________________________________
From: Example Support <support@example.test>
Sent: Monday, March 3, 2025 10:00 AM
To: Rita Ruiz <rita@customer.test>
Subject: Re: Order 1001 is late

It ships today.
"""


@pytest.fixture
def answered(inbox, receive, agent, on_commit):
    """A conversation opened by Rita and answered by an agent; returns (conversation, our reply's Message-ID)."""
    receive(inbox, mail(message_id="first@customer.test", cc="Bob Boss <bob@customer.test>"))
    conversation = Conversation.objects.get()
    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.")
    reply.refresh_from_db()
    return conversation, reply.external_id


def test_a_gmail_reply_to_our_reply_threads_by_in_reply_to(inbox, receive, answered):
    conversation, ours = answered

    envelope = receive(inbox, mail(subject="Re: Order 1001 is late [#%d]" % conversation.pk, text=GMAIL_REPLY,
                                   message_id="CAFx1@mail.gmail.com", in_reply_to=ours, references=["first@customer.test", ours]))

    assert envelope.message.conversation_id == conversation.pk
    assert envelope.message.text == "Thanks, but it still has not arrived."
    assert "It ships today." in envelope.message.metadata["quoted_text"]


def test_an_outlook_reply_with_a_rewritten_in_reply_to_threads_by_references(inbox, receive, answered):
    conversation, ours = answered

    envelope = receive(inbox, mail(subject="RE: Order 1001 is late", text=OUTLOOK_REPLY,
                                   message_id="AM0PR01MB1@eurprd01.prod.outlook.com",
                                   in_reply_to="AM0PR01MB0@eurprd01.prod.outlook.com", references=[ours],
                                   headers={"Thread-Topic": "Order 1001 is late"}))

    assert envelope.message.conversation_id == conversation.pk
    assert envelope.message.metadata["threaded_by"] == "references"


def test_an_outlook_follow_up_without_references_threads_by_thread_index(inbox, receive):
    root = base64.b64decode("AdmMc3F0aGVyZWlzbm90aGluZ2hlcmU=")[:22]
    receive(inbox, mail(message_id="o1@outlook.test", headers={"Thread-Index": base64.b64encode(root).decode()}))

    envelope = receive(inbox, mail(subject="Another thing", message_id="o2@outlook.test",
                                   headers={"Thread-Index": base64.b64encode(root + b"\x00\x01\x02\x03\x04").decode()}))

    assert Conversation.objects.count() == 1
    assert envelope.message.metadata["threaded_by"] == "thread-index"


def test_the_conversation_number_in_the_subject_threads_a_reply_without_headers(inbox, receive, answered):
    conversation, _ = answered

    envelope = receive(inbox, mail(subject=f"Re: order [#{conversation.pk}] from my phone", text="Any update?"))

    assert envelope.message.conversation_id == conversation.pk


def test_a_stranger_quoting_a_conversation_number_gets_a_conversation_of_their_own(inbox, receive, answered):
    conversation, _ = answered

    envelope = receive(inbox, mail(sender="mallory@elsewhere.test", subject=f"Re: [#{conversation.pk}]", text="Send me the invoice"))

    assert envelope.message.conversation_id != conversation.pk
    assert Conversation.objects.count() == 2


def test_same_sender_and_subject_within_the_window_continue_the_conversation(inbox, receive):
    first = receive(inbox, mail(subject="Invoice question"))

    second = receive(inbox, mail(subject="AW: Fwd: SV: invoice question", text="Forgot the number: 77"))

    assert second.message.conversation_id == first.message.conversation_id


def test_same_sender_and_subject_outside_the_window_open_a_new_conversation(make_email_inbox, receive):
    inbox = make_email_inbox(thread_window_days=3)
    first = receive(inbox, mail(subject="Invoice question"))
    Conversation.objects.filter(pk=first.message.conversation_id).update(last_message_at=timezone.now() - timedelta(days=4))

    second = receive(inbox, mail(subject="Re: Invoice question"))

    assert second.message.conversation_id != first.message.conversation_id


def test_a_forwarded_chain_with_the_number_joins_its_conversation_and_an_unrelated_forward_does_not(inbox, receive, answered):
    conversation, _ = answered
    chain = ("FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Example Support <support@example.test>\n"
             f"Subject: Re: Order 1001 is late [#{conversation.pk}]\n\nIt ships today.\n")

    joined = receive(inbox, mail(subject=f"Fwd: Re: Order 1001 is late [#{conversation.pk}]", text=chain))
    separate = receive(inbox, mail(subject="Fwd: Your new account", text="FYI\n\n---------- Forwarded message ---------\nHello"))

    assert joined.message.conversation_id == conversation.pk
    assert separate.message.conversation_id != conversation.pk


def test_a_cc_d_person_replying_to_our_reply_becomes_a_participant(inbox, receive, answered):
    conversation, ours = answered

    envelope = receive(inbox, mail(sender="Bob Boss <bob@customer.test>", subject="Re: Order 1001 is late",
                                   text="Please hurry.", in_reply_to=ours))

    assert envelope.message.conversation_id == conversation.pk
    assert envelope.message.sender_contact.email == "bob@customer.test"
    assert conversation.participants.filter(email="bob@customer.test").exists()


@pytest.mark.parametrize("status", [Status.SOLVED, Status.CLOSED])
def test_a_reply_to_a_finished_conversation_reopens_it_by_default(inbox, receive, answered, status):
    conversation, ours = answered
    Conversation.objects.filter(pk=conversation.pk).update(status=status)

    envelope = receive(inbox, mail(subject="Re: Order 1001 is late", text="It broke again.", in_reply_to=ours))

    conversation.refresh_from_db()
    assert envelope.message.conversation_id == conversation.pk
    assert conversation.status == Status.OPEN


def test_a_reply_to_a_closed_conversation_starts_a_linked_follow_up_when_configured(make_email_inbox, receive, agent, on_commit):
    inbox = make_email_inbox(reply_to_closed="follow_up")
    first = receive(inbox, mail(message_id="first@customer.test"))
    closed = first.message.conversation
    Conversation.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    envelope = receive(inbox, mail(subject="Re: Order 1001 is late", text="It broke again.", in_reply_to="first@customer.test"))

    follow_up = envelope.message.conversation
    closed.refresh_from_db()
    assert follow_up.pk != closed.pk and closed.status == Status.CLOSED
    assert list(follow_up.related.all()) == [closed]
    assert follow_up.messages.filter(kind="event", text__contains=f"#{closed.pk}").exists()


def test_the_same_mail_twice_is_one_message_but_a_reused_message_id_with_new_content_is_kept(inbox, receive):
    raw = mail(message_id="reused@customer.test")
    receive(inbox, raw)
    receive(inbox, b"Received: from relay2.customer.test by mx.example.test\r\n" + raw)

    receive(inbox, mail(message_id="reused@customer.test", subject="Order 1001 is late", text="A different message"))

    texts = sorted(Conversation.objects.get().messages.values_list("text", flat=True))
    assert texts == ["A different message", "Hello, my order 1001 has not arrived."]


def test_our_own_mail_coming_back_is_kept_as_a_refused_envelope_without_a_conversation(inbox, receive):
    envelope = receive(inbox, mail(sender="support@example.test", headers={"X-Parley-Loop": loop_token()}))

    assert envelope.status == EnvelopeStatus.FAILED and "mail loop" in envelope.last_error
    assert not Conversation.objects.exists()


def test_blocked_senders_and_senders_over_the_hourly_limit_are_refused(make_email_inbox, receive):
    inbox = make_email_inbox(block=["@spam.test"], rate_limit_per_hour=2)

    blocked = receive(inbox, mail(sender="bulk@spam.test"))
    flood = [receive(inbox, mail(subject=f"Ping {n}")) for n in range(3)]

    assert "block list" in blocked.last_error
    assert [e.status for e in flood] == [EnvelopeStatus.PROCESSED, EnvelopeStatus.PROCESSED, EnvelopeStatus.FAILED]
    assert "more than 2 emails in the last hour" in flood[2].last_error
    assert Conversation.objects.count() == 2


def test_an_attachment_over_the_limit_is_dropped_with_a_note_and_the_message_kept(inbox, receive, settings):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 1_048_576
    envelope = receive(inbox, mail(attachments=[("contract.pdf", "application/pdf", b"%" * 3_200_000),
                                                ("photo.png", "image/png", b"\x89PNG small")]))

    message = envelope.message
    assert [a.filename for a in message.attachments.all()] == ["photo.png"]
    assert "attachment contract.pdf (3 MB) was refused: over the 1 MB limit" in message.text


def test_an_inline_image_is_kept_with_its_content_id(inbox, receive):
    msg = message_from_bytes(mail(html='<p>See <img src="cid:shot1@customer.test"></p>'), policy=policy.default)
    msg.get_body(("html",)).add_related(b"\x89PNG image", maintype="image", subtype="png", cid="<shot1@customer.test>")

    envelope = receive(inbox, msg.as_bytes())

    (image,) = envelope.message.attachments.all()
    assert image.content_id == "shot1@customer.test"
    assert 'src="cid:shot1@customer.test"' in envelope.message.html


def test_a_mail_that_cannot_be_read_becomes_a_conversation_with_the_raw_mail_and_a_note(inbox, receive):
    raw = b"Return-Path: <someone@customer.test>\r\nSubject: \xff\xfe broken\r\nContent-Type: multipart/mixed\r\n\r\n\x00\x01garbage"

    envelope = receive(inbox, raw)

    message = envelope.message
    assert message.conversation.contact.email == "someone@customer.test"
    raw_copy = message.attachments.get(filename="message.eml")
    assert raw_copy.file.read() == raw
    assert "could not be read completely" in message.text
