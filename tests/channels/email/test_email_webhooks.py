"""Provider inbound webhooks through django-anymail, fed with each provider's documented wire format."""
import base64
import hashlib
import hmac
import json
import secrets
import time

import pytest

from mailmaker import mail
from parley.channels.models import InboundEnvelope
from parley.conversations.models import Conversation

SIGNING_KEY = "key-mailgun-signing-test"
WEBHOOK_SECRET = "parley:webhook-secret"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "WEBHOOK_SECRET": WEBHOOK_SECRET}


def mailgun_form(raw: bytes, *, key: str = SIGNING_KEY, recipient="support@example.test", age: int = 0) -> dict:
    # Mailgun's documented route forward() (the URL may carry basic-auth credentials, as here) POST for "raw MIME" URLs: body-mime plus timestamp, token and
    # signature = hex HMAC-SHA256 of timestamp + token keyed with the webhook signing key.
    timestamp, token = str(int(time.time()) - age), secrets.token_hex(25)
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"recipient": recipient, "sender": "rita@customer.test", "from": "Rita Ruiz <rita@customer.test>",
            "subject": "Order 1001 is late", "body-mime": raw.decode(), "timestamp": timestamp, "token": token,
            "signature": signature}


def postmark_payload(recipient="support@example.test") -> dict:
    # Postmark's documented inbound webhook JSON (https://postmarkapp.com/developer/webhooks/inbound-webhook).
    return {
        "FromName": "Rita Ruiz", "MessageStream": "inbound", "From": "rita@customer.test",
        "FromFull": {"Email": "rita@customer.test", "Name": "Rita Ruiz", "MailboxHash": ""},
        "To": f'"Support" <{recipient}>', "ToFull": [{"Email": recipient, "Name": "Support", "MailboxHash": ""}],
        "Cc": "", "CcFull": [], "Bcc": "", "BccFull": [], "OriginalRecipient": recipient, "ReplyTo": "",
        "Subject": "Printer on fire", "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Thu, 5 Apr 2025 16:59:01 +0200", "MailboxHash": "", "TextBody": "The printer is on fire.",
        "HtmlBody": "<p>The printer is on fire.</p>", "StrippedTextReply": "", "Tag": "",
        "Headers": [{"Name": "Message-ID", "Value": "<pm-1@customer.test>"}], "Attachments": [
            {"Name": "fire.txt", "Content": base64.b64encode(b"smoke").decode(), "ContentType": "text/plain",
             "ContentLength": 5}],
    }


def basic_auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def test_a_signed_mailgun_delivery_becomes_a_conversation(client, make_email_inbox, on_commit):
    inbox = make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/mailgun_mime/", mailgun_form(mail(message_id="mg-1@customer.test")),
                               HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 200
    conversation = Conversation.objects.get(inbox=inbox)
    assert conversation.subject == "Order 1001 is late"
    assert InboundEnvelope.objects.get().external_id == "mg-1@customer.test"


def test_a_mailgun_delivery_with_a_forged_signature_is_refused_and_nothing_stored(client, make_email_inbox, on_commit):
    make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/mailgun_mime/", mailgun_form(mail(), key="not-the-key"),
                               HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 403 and "signature" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()


def test_a_postmark_delivery_with_the_right_basic_auth_becomes_a_conversation(client, make_email_inbox, on_commit):
    inbox = make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/postmark/", json.dumps(postmark_payload()),
                               content_type="application/json", HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 200
    conversation = Conversation.objects.get(inbox=inbox)
    message = conversation.messages.get()
    assert conversation.subject == "Printer on fire" and message.text == "The printer is on fire."
    assert [a.filename for a in message.attachments.all()] == ["fire.txt"]


def test_a_postmark_delivery_with_wrong_credentials_is_refused_and_nothing_stored(client, make_email_inbox, on_commit):
    make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/postmark/", json.dumps(postmark_payload()),
                               content_type="application/json", HTTP_AUTHORIZATION=basic_auth("parley:guess"))

    assert response.status_code == 403 and "signature" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()


def test_a_provider_without_a_configured_secret_is_refused(client, make_email_inbox, settings):
    make_email_inbox()
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    response = client.post("/channels/email/inbound/postmark/", json.dumps(postmark_payload()), content_type="application/json")

    assert response.status_code == 403
    assert "WEBHOOK_SECRET" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()


def test_mail_for_an_address_no_inbox_receives_is_refused_with_a_clear_error(client, make_email_inbox):
    make_email_inbox()

    response = client.post("/channels/email/inbound/postmark/", json.dumps(postmark_payload("sales@example.test")),
                           content_type="application/json", HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 406
    assert "sales@example.test" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()


def sendgrid_raw_form(raw: bytes, *, recipient="support@example.test") -> dict:
    # SendGrid Inbound Parse with "POST the raw, full MIME message" on: a multipart/form-data POST whose
    # "email" field is the whole message, next to envelope, charsets and the spam and SPF verdicts.
    return {"email": raw.decode(), "to": f"Support <{recipient}>", "from": "Rita Ruiz <rita@customer.test>",
            "subject": "Order 1001 is late", "sender_ip": "203.0.113.7", "SPF": "pass", "dkim": "{@customer.test : pass}",
            "spam_score": "0.1", "spam_report": "Spam detection software ... 0.1 points",
            "envelope": json.dumps({"to": [recipient], "from": "rita@customer.test"}),
            "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8"})}


def sendgrid_parsed_form() -> dict:
    # SendGrid Inbound Parse's default format (its "Setting up the Inbound Parse Webhook" page): the headers
    # block, text and html fields, and files described by attachment-info.
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = ("From: Rita Ruiz <rita@customer.test>\nTo: Support <support@example.test>\nSubject: Printer on fire\n"
               "Message-ID: <sg-parsed-1@customer.test>\nDate: Thu, 5 Apr 2025 16:59:01 +0200\nMIME-Version: 1.0\n")
    return {"headers": headers, "text": "The printer is on fire.\n", "html": "<p>The printer is on fire.</p>",
            "from": "Rita Ruiz <rita@customer.test>", "to": "Support <support@example.test>", "subject": "Printer on fire",
            "envelope": json.dumps({"to": ["support@example.test"], "from": "rita@customer.test"}),
            "charsets": json.dumps({"to": "UTF-8", "html": "UTF-8", "subject": "UTF-8", "from": "UTF-8", "text": "UTF-8"}),
            "SPF": "pass", "spam_score": "0.0", "attachments": "1",
            "attachment-info": json.dumps({"attachment1": {"filename": "fire.txt", "name": "fire.txt", "type": "text/plain"}}),
            "attachment1": SimpleUploadedFile("fire.txt", b"smoke", content_type="text/plain")}


# Anymail warns on every SendGrid request that it no longer tests SendGrid; these tests are what check it here.
sendgrid = pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")


@sendgrid
def test_a_sendgrid_raw_mime_delivery_with_the_right_basic_auth_becomes_a_conversation(client, make_email_inbox, on_commit):
    inbox = make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/sendgrid/", sendgrid_raw_form(
            mail(message_id="sg-1@customer.test", to="help+orders@example.test")),
            HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 200
    conversation = Conversation.objects.get(inbox=inbox)
    assert conversation.subject == "Order 1001 is late" and conversation.contact.email == "rita@customer.test"
    assert conversation.messages.get().text == "Hello, my order 1001 has not arrived."
    assert InboundEnvelope.objects.get().external_id == "sg-1@customer.test"


@sendgrid
def test_a_sendgrid_delivery_in_the_default_parsed_format_keeps_text_and_attachment(client, make_email_inbox, on_commit):
    inbox = make_email_inbox()

    with on_commit():
        response = client.post("/channels/email/inbound/sendgrid/", sendgrid_parsed_form(),
                               HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 200
    message = Conversation.objects.get(inbox=inbox).messages.get()
    assert message.text == "The printer is on fire."
    assert [(a.filename, a.file.read()) for a in message.attachments.all()] == [("fire.txt", b"smoke")]


@sendgrid
@pytest.mark.parametrize("authorization", [basic_auth("parley:guess"), None], ids=["wrong-credentials", "no-credentials"])
def test_a_forged_sendgrid_delivery_is_refused_and_nothing_stored(client, make_email_inbox, on_commit, authorization):
    make_email_inbox()
    credentials = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    with on_commit():
        response = client.post("/channels/email/inbound/sendgrid/", sendgrid_raw_form(mail()), **credentials)

    assert response.status_code == 403 and "signature" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()
    assert not Conversation.objects.exists()


def test_a_replayed_mailgun_delivery_is_refused_and_stored_once(client, make_email_inbox, on_commit):
    make_email_inbox()
    form = mailgun_form(mail(message_id="mg-replay@customer.test"))

    with on_commit():
        first = client.post("/channels/email/inbound/mailgun_mime/", form, HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))
        replay = client.post("/channels/email/inbound/mailgun_mime/", form, HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert first.status_code == 200
    assert replay.status_code == 403 and "already used" in replay.json()["extra"]["signature"]
    assert InboundEnvelope.objects.count() == 1


def test_a_correctly_signed_but_stale_mailgun_delivery_is_refused(client, make_email_inbox, settings):
    make_email_inbox()
    settings.PARLEY_WEBHOOK_MAX_AGE = 300

    response = client.post("/channels/email/inbound/mailgun_mime/", mailgun_form(mail(), age=301 + 60),
                           HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 403 and "old" in response.json()["extra"]["signature"]
    assert not InboundEnvelope.objects.exists()


def test_mailgun_without_a_signing_key_answers_a_clear_403_not_a_server_error(client, make_email_inbox, settings):
    make_email_inbox()
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}

    response = client.post("/channels/email/inbound/mailgun_mime/", mailgun_form(mail()),
                           HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))

    assert response.status_code == 403
    assert "not set up" in response.json()["message"] and "WEBHOOK_SIGNING_KEY" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()
