"""Provider inbound webhooks through django-anymail, fed with each provider's documented wire format."""
import base64
import hashlib
import hmac
import json
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


def mailgun_form(raw: bytes, *, key: str = SIGNING_KEY, recipient="support@example.test") -> dict:
    # Mailgun's documented route forward() (the URL may carry basic-auth credentials, as here) POST for "raw MIME" URLs: body-mime plus timestamp, token and
    # signature = hex HMAC-SHA256 of timestamp + token keyed with the webhook signing key.
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
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

    assert response.status_code == 400
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

    assert response.status_code == 400
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
