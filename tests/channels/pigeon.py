"""Pigeon Post: a fictional messaging provider, the example channel the seam tests register.

Its wire format (what docs/channels.md walks through):
- messages and status events of an inbox are POSTed as JSON to the inbox's own URL
  (/channels/pigeon/<inbox key>/updates/), {"batch_id", "events": [...]}, signed with
  X-Pigeon-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the inbox's secret>;
  Pigeon checks that URL first with a Meta-style GET (hub.mode, hub.verify_token, hub.challenge);
- a call rings /channels/pigeon/<inbox key>/ring/ and Pigeon waits for XML instructions;
- late status callbacks of every inbox go to one URL, /channels/pigeon/status/, naming the account.
"""
import hashlib
import hmac
from datetime import timedelta
from xml.sax.saxutils import escape

from django.http import HttpResponse

from pydantic import Field

from parley.channels.base import (
    Address, AttachmentRules, Capabilities, ChannelAdapter, DeliveryReport, DeliveryResult, Endpoint, InboundMessage,
)
from parley.channels.config import ChannelConfig
from parley.channels.config import secret as secret_field
from parley.channels.handshakes import meta_challenge
from parley.channels.models import Inbox
from parley.channels.selectors import inbox_for
from parley.channels.webhooks import Incoming, SignatureInvalid, SignatureMissing, Webhook
from parley.core.errors import ApplicationError

#: What the test inbox is configured with (the verify token is the one Meta's documentation shows).
SECRET = "pigeon-inbox-secret"
VERIFY_TOKEN = "meatyhamhock"


def pigeon_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Updates(Webhook):
    """Messages and status events of one inbox, in batches."""

    def handshake(self, request, inbox, **kwargs):
        return meta_challenge(request, verify_token=inbox.settings["verify_token"])

    def verify(self, request, inbox, **kwargs):
        sent = request.headers.get("X-Pigeon-Signature")
        if not sent:
            raise SignatureMissing("The request carries no X-Pigeon-Signature.")
        if not hmac.compare_digest(sent, pigeon_signature(inbox.settings["secret"], request.body)):
            raise SignatureInvalid("X-Pigeon-Signature does not match the body.")

    def incoming(self, request, inbox, **kwargs):
        body = self.json_body(request)
        return [Incoming(external_id=body["batch_id"], payload=body)]


class Ring(Updates):
    """A call: stored, and answered at once with what the caller hears."""

    def incoming(self, request, inbox, **kwargs):
        body = self.json_body(request)
        return [Incoming(external_id=body["call_id"], payload={"events": [], **body})]

    def respond(self, request, inbox, stored, **kwargs):
        pressed = stored[0].payload.get("digits", "")
        say = "Connecting you to sales." if pressed == "1" else f"Welcome to {inbox.name}. Press 1 for sales."
        return HttpResponse(f"<Response><Say>{escape(say)}</Say></Response>", content_type="text/xml")


class Status(Updates):
    """Status callbacks of every inbox at one URL: the account in the body picks the inbox."""

    def handshake(self, request, inbox, **kwargs):
        return None

    @staticmethod
    def account_inbox(request) -> Inbox:
        account = str(Webhook.json_body(request).get("account", ""))
        inbox = inbox_for(kind="page", address=account)
        if inbox is None:
            raise ApplicationError(f"No inbox has the Pigeon account {account!r}.", extra={"account": "unknown"}, status=404)
        return inbox

    def verify(self, request, inbox, **kwargs):
        super().verify(request, self.account_inbox(request))

    def incoming(self, request, inbox, **kwargs):
        body = self.json_body(request)
        return [Incoming(external_id=body["event_id"], payload={"events": [body]}, inbox=self.account_inbox(request))]


class PigeonConfig(ChannelConfig):
    account: str = Field(min_length=1, description="the Pigeon account id, as Pigeon's dashboard shows it")
    secret: str = secret_field(min_length=1, description="signs what Pigeon posts")
    verify_token: str = secret_field(min_length=1, description="what Pigeon's URL check must send")


class PigeonAdapter(ChannelAdapter):
    kind = "pigeon"
    label = "Pigeon"
    continues_open_conversation = True
    capabilities = Capabilities(
        max_length=500, attachments=AttachmentRules(types=("image/*",), max_bytes=1_000_000, max_count=1),
        reply_window=timedelta(hours=24), typing=True, read_receipts=True,
    )

    def endpoints(self):
        return [
            Endpoint("updates/", Updates(), methods=("GET", "POST"), per_inbox=True),
            Endpoint("ring/", Ring(), per_inbox=True),
            Endpoint("status/", Status()),
        ]

    config_schema = PigeonConfig

    def addresses(self, config):
        return [Address("page", config["account"].lower(), "account")]

    def parse(self, envelope):
        parsed = []
        for event in envelope.payload["events"]:
            if event["type"] == "message":
                parsed.append(InboundMessage(external_id=event["id"], identity_kind="external_id", source_id=event["from"],
                                             contact_name=event.get("name", ""), text=event["text"]))
            elif event["type"] == "status":
                parsed.append(DeliveryReport(external_id=event["message_id"], status=event["status"],
                                             reason=event.get("reason", ""), event_id=event.get("event_id", "")))
            else:
                raise ValueError(f"unknown Pigeon event type {event['type']!r}")
        return parsed or None

    def send(self, message):
        return DeliveryResult(external_id=f"pg-{message.pk}", status="sent")
