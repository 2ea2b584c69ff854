"""Bounces: the reason in plain words on the failed reply, hard bounces counted per address, the rest shown to admins."""
import smtplib
from pathlib import Path

import pytest
from django.urls import reverse

from mailmaker import dsn, mail
from parley.channels.email.models import UnmatchedBounce
from parley.contacts.models import AddressState, EmailAddressStatus
from parley.conversations.models import Conversation, DeliveryStatus
from parley.conversations.services import message_reply
from parley.core.models import AuditEntry

CORPUS = Path(__file__).parent / "corpus"
MAILBOX_FULL = "smtp; 552 5.2.2 <rita@customer.test>: Mailbox full, quota exceeded"


@pytest.fixture
def conversation(make_email_inbox, smtp_sink, receive):
    receive(make_email_inbox(smtp_port=smtp_sink.port), mail(message_id="first@customer.test"))
    return Conversation.objects.get()


@pytest.fixture
def send_reply(conversation, agent, on_commit):
    """Send a reply to Rita over SMTP; return it with the Message-ID it went out with."""
    def send_reply(text="It ships today."):
        with on_commit():
            reply = message_reply(conversation=conversation, author=agent, text=text)
        reply.refresh_from_db()
        return reply

    return send_reply


def address_status() -> EmailAddressStatus:
    return EmailAddressStatus.objects.get(address="rita@customer.test")


def test_the_failed_reply_shows_why_in_plain_words_on_the_timeline(conversation, send_reply, receive, client, agent):
    reply = send_reply()

    receive(conversation.inbox, dsn(original_message_id=reply.external_id))

    client.force_login(agent)
    page = client.get(reverse("workspace:timeline", args=[conversation.pk])).content.decode()
    assert 'class="delivery delivery-failed">Failed: bounced: The address does not exist at the recipient' in page


def test_hard_bounces_make_an_address_undeliverable_at_the_limit_and_the_composer_warns(
        conversation, send_reply, receive, client, agent, api_as, settings):
    settings.PARLEY_HARD_BOUNCE_LIMIT = 2
    first = send_reply()
    receive(conversation.inbox, dsn(original_message_id=first.external_id))
    # The same reply bounced twice (two reports for one mail) counts once.
    receive(conversation.inbox, dsn(original_message_id=first.external_id).replace(b"5.1.1", b"5.1.10"))
    assert (address_status().hard_bounces, address_status().state) == (1, AddressState.OK)
    client.force_login(agent)
    page = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()
    assert "email-status-warning" not in page

    second = send_reply("Trying again.")
    receive(conversation.inbox, dsn(original_message_id=second.external_id))

    status = address_status()
    assert (status.hard_bounces, status.state) == (2, AddressState.UNDELIVERABLE)
    assert status.reason == "The address does not exist at the recipient's provider."
    page = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()
    assert "Mail to rita@customer.test bounced 2 times and is marked undeliverable" in page
    contact = api_as(agent).get(f"/contacts/{conversation.contact_id}").json()
    assert (contact["email_status"], contact["email_hard_bounces"]) == ("undeliverable", 2)


def test_a_soft_bounce_fails_the_reply_but_never_counts_against_the_address(conversation, send_reply, receive):
    for n in range(3):
        reply = send_reply(f"Attempt {n}.")
        receive(conversation.inbox, dsn(original_message_id=reply.external_id, status="5.2.2", diagnostic=MAILBOX_FULL))
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.FAILED and "mailbox is full" in reply.failure_reason

    assert not EmailAddressStatus.objects.exists()


def test_a_bounce_matching_no_reply_is_listed_for_admins_only(make_email_inbox, receive, client, admin, agent):
    inbox = make_email_inbox()

    envelope = receive(inbox, (CORPUS / "bounce_o365_blocked.eml").read_bytes())

    assert envelope.message is None and Conversation.objects.count() == 0
    bounce = UnmatchedBounce.objects.get()
    assert (bounce.inbox, bounce.envelope, bounce.recipient) == (inbox, envelope, "buyer@fabrikam.example")
    assert bounce.subject == "[#2001] Your request" and bounce.category == "blocked" and not bounce.hard
    assert bounce.reason.startswith("The recipient's server refused the message (security policy or block list).")
    # Backscatter must not condemn an address Parley never wrote to.
    assert not EmailAddressStatus.objects.exists()

    client.force_login(admin)
    base = client.get(reverse("workspace:home")).content.decode()
    assert f'href="{reverse("workspace:bounces")}"' in base
    page = client.get(reverse("workspace:bounces")).content.decode()
    assert "buyer@fabrikam.example" in page and "[#2001] Your request" in page and "security policy" in page
    client.force_login(agent)
    assert client.get(reverse("workspace:bounces")).status_code == 403
    assert f'href="{reverse("workspace:bounces")}"' not in client.get(reverse("workspace:home")).content.decode()


@pytest.mark.servers
def test_hard_bounces_through_the_smtp_receiver_mark_the_address_undeliverable(receiver, make_email_inbox, smtp_sink,
                                                                              agent, settings):
    settings.PARLEY_HARD_BOUNCE_LIMIT = 1
    make_email_inbox(smtp_port=smtp_sink.port)
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("rita@customer.test", ["support@example.test"], mail(message_id="first@customer.test"))
    reply = message_reply(conversation=Conversation.objects.get(), author=agent, text="It ships today.")
    reply.refresh_from_db()

    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.sendmail("", ["support@example.test"], dsn(original_message_id=reply.external_id))

    assert address_status().state == AddressState.UNDELIVERABLE
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED


def test_an_agent_marks_an_undeliverable_address_deliverable_again_and_the_count_starts_over(
        conversation, send_reply, receive, client, agent, api_as, settings):
    settings.PARLEY_HARD_BOUNCE_LIMIT = 1
    receive(conversation.inbox, dsn(original_message_id=send_reply().external_id))
    assert address_status().state == AddressState.UNDELIVERABLE
    client.force_login(agent)
    url = reverse("workspace:conversation", args=[conversation.pk])
    assert "Mark deliverable again" in client.get(url).content.decode()

    answer = client.post(reverse("workspace:customer-email-status-reset", args=[conversation.contact_id]), {"next": url})

    assert answer.status_code == 302 and answer.url == url
    assert (address_status().state, address_status().hard_bounces) == (AddressState.OK, 0)
    assert "email-status-warning" not in client.get(url).content.decode()
    assert AuditEntry.objects.filter(action="email_address.state_changed", actor=agent).exists()

    receive(conversation.inbox, dsn(original_message_id=send_reply("Again.").external_id))
    assert api_as(agent).get(f"/contacts/{conversation.contact_id}").json()["email_status"] == "undeliverable"
    reset = api_as(agent).post(f"/contacts/{conversation.contact_id}/email-status/reset")
    assert reset.status_code == 200 and (reset.json()["email_status"], reset.json()["email_hard_bounces"]) == ("ok", 0)


def test_a_light_agent_cannot_mark_an_address_deliverable_again(conversation, send_reply, receive, make_agent, api_as,
                                                                settings):
    settings.PARLEY_HARD_BOUNCE_LIMIT = 1
    receive(conversation.inbox, dsn(original_message_id=send_reply().external_id))

    answer = api_as(make_agent(role="light_agent")).post(f"/contacts/{conversation.contact_id}/email-status/reset")

    assert answer.status_code == 403
    assert address_status().state == AddressState.UNDELIVERABLE
