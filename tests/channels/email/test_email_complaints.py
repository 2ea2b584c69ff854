"""Feedback-loop complaints: the customer reported our reply as spam, so they are unsubscribed and agents are told."""
import smtplib
from pathlib import Path

import pytest
from django.urls import reverse

from mailmaker import arf, mail
from parley.contacts.models import AddressState, EmailAddressStatus
from parley.conversations.models import Conversation, Message
from parley.conversations.services import message_reply
from parley.core.models import AuditEntry

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def reply(make_email_inbox, smtp_sink, receive, agent, on_commit):
    """A reply sent to Rita over SMTP."""
    inbox = make_email_inbox(smtp_port=smtp_sink.port)
    receive(inbox, mail(message_id="first@customer.test"))
    with on_commit():
        sent = message_reply(conversation=Conversation.objects.get(), author=agent, text="Our spring offers!")
    sent.refresh_from_db()
    return sent


def test_a_complaint_unsubscribes_the_address_and_marks_the_reply_without_opening_a_conversation(
        reply, receive, client, agent, api_as):
    envelope = receive(reply.conversation.inbox, arf(original_message_id=reply.external_id))

    assert envelope.message is None and Conversation.objects.count() == 1
    status = EmailAddressStatus.objects.get(address="rita@customer.test")
    assert status.state == AddressState.COMPLAINED and "abuse" in status.reason
    assert AuditEntry.objects.filter(action="email_address.state_changed", target_id=str(status.pk)).exists()
    reply.refresh_from_db()
    assert reply.metadata["complaint"]["feedback_type"] == "abuse"
    note = Message.objects.get(conversation=reply.conversation, kind="event", text__contains="spam")
    assert note.text.startswith("rita@customer.test reported this reply as spam")

    client.force_login(agent)
    page = client.get(reverse("workspace:conversation", args=[reply.conversation_id])).content.decode()
    assert '<span class="chip complaint" title="abuse">Reported as spam</span>' in page
    assert "Complained (unsubscribed)" in page
    assert "reported our mail as spam and is unsubscribed" in page
    customer_page = client.get(reverse("workspace:customer", args=[reply.conversation.contact_id])).content.decode()
    assert "Complained (unsubscribed)" in customer_page

    api = api_as(agent)
    contact = api.get(f"/contacts/{reply.conversation.contact_id}").json()
    assert contact["email_status"] == "complained" and "abuse" in contact["email_status_reason"]
    listed = api.get("/contacts", email="rita@customer.test").json()["items"]
    assert [c["email_status"] for c in listed] == ["complained"]
    messages = api.get(f"/conversations/{reply.conversation_id}/messages").json()["items"]
    assert [m["reported_as_spam"] for m in messages if m["id"] == reply.pk] == [True]


def test_a_complaint_that_redacts_the_recipient_is_applied_to_the_customer_of_the_reported_reply(reply, receive):
    receive(reply.conversation.inbox, arf(original_message_id=reply.external_id, recipient=""))

    assert EmailAddressStatus.objects.get().address == "rita@customer.test"
    reply.refresh_from_db()
    assert reply.metadata["complaint"]["recipient"] == "rita@customer.test"


def test_the_same_complaint_reported_twice_is_noted_once(reply, receive):
    receive(reply.conversation.inbox, arf(original_message_id=reply.external_id))
    receive(reply.conversation.inbox, arf(original_message_id=reply.external_id))

    assert Message.objects.filter(conversation=reply.conversation, kind="event", text__contains="spam").count() == 1
    assert AuditEntry.objects.filter(action="email_address.state_changed").count() == 1


def test_a_complaint_about_mail_parley_does_not_know_still_unsubscribes_the_named_recipient(make_email_inbox, receive):
    receive(make_email_inbox(), (CORPUS / "arf_aol_complaint.eml").read_bytes())

    assert EmailAddressStatus.objects.get().address == "grumpy@aol.example"
    assert EmailAddressStatus.objects.get().state == AddressState.COMPLAINED
    assert Conversation.objects.count() == 0


@pytest.mark.servers
def test_a_complaint_sent_to_the_smtp_receiver_unsubscribes_the_customer(receiver, make_email_inbox, smtp_sink, agent):
    make_email_inbox(smtp_port=smtp_sink.port)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("rita@customer.test", ["support@example.test"], mail(message_id="first@customer.test"))
    sent = message_reply(conversation=Conversation.objects.get(), author=agent, text="Our spring offers!")
    sent.refresh_from_db()

    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("", ["support@example.test"], arf(original_message_id=sent.external_id))

    assert EmailAddressStatus.objects.get(address="rita@customer.test").state == AddressState.COMPLAINED
    assert Conversation.objects.count() == 1


def test_a_customer_who_complained_gets_no_acknowledgement_when_they_write_again(make_email_inbox, smtp_sink, receive):
    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)
    receive(inbox, mail(message_id="first@customer.test"))
    assert [rcpt for _, rcpt, _ in smtp_sink.messages] == [["rita@customer.test"]]
    first_ack = Message.objects.get(metadata__automatic="acknowledgement")
    receive(inbox, arf(original_message_id=first_ack.external_id))

    receive(inbox, mail(message_id="second@customer.test", subject="Another question"))

    assert Conversation.objects.count() == 2
    assert len(smtp_sink.messages) == 1
