"""The API channel: any system posts customer messages over HTTP and gets replies by a signed callback."""
import base64
import hashlib
import hmac
import json
import time

import httpx
from django.utils.translation import gettext_lazy
from pydantic import Field, field_validator

from parley.channels.base import (
    AttachmentRules, Capabilities, ChannelAdapter, DeliveryError, DeliveryResult, InboundAttachment, InboundMessage,
)
from parley.channels.config import ChannelConfig
from parley.channels.registry import register

CALLBACK_TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the X-Parley-Signature value: hex HMAC-SHA256 of "<timestamp>.<body>"."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class ApiInboxConfig(ChannelConfig):
    """An API inbox: where agents' replies are posted (signed with the inbox's signing secret)."""

    callback_url: str = Field("", description="replies are POSTed here; empty: your system reads them through the API")

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return url


@register
class ApiAdapter(ChannelAdapter):
    kind = "api"
    label = gettext_lazy("API")
    continues_open_conversation = True
    # The callback carries text and HTML; the integrating system fetches attachments through the API.
    capabilities = Capabilities(html=True, attachments=AttachmentRules())
    config_schema = ApiInboxConfig

    def parse(self, envelope) -> InboundMessage:
        data = envelope.payload
        contact = data.get("contact") or {}
        if not contact.get("source_id"):
            raise ValueError("contact.source_id is required")
        return InboundMessage(
            external_id=envelope.external_id,
            identity_kind=contact.get("kind", "external_id"),
            identity_network=contact.get("network", ""),
            source_id=str(contact["source_id"]),
            contact_name=contact.get("name", ""),
            contact_email=contact.get("email", ""),
            contact_phone=contact.get("phone", ""),
            text=data.get("text", ""),
            subject=data.get("subject", ""),
            conversation_id=data.get("conversation_id"),
            attachments=self.attachments(data),
            metadata=data.get("metadata") or {},
        )

    @staticmethod
    def attachments(data: dict) -> tuple[InboundAttachment, ...]:
        """Decode the attachments of a posted payload ([{filename, content_type, content_base64}])."""
        return tuple(
            InboundAttachment(filename=a["filename"], content_type=a.get("content_type", "application/octet-stream"),
                              content=base64.b64decode(a["content_base64"]))
            for a in data.get("attachments", [])
        )

    def send(self, message) -> DeliveryResult:
        inbox = message.conversation.inbox
        url = inbox.settings.get("callback_url")
        if not url:
            # Without a callback the integrating system reads replies through the API.
            return DeliveryResult(status="sent")
        body = json.dumps({
            "event": "message.created",
            "message": {"id": message.pk, "conversation_id": message.conversation_id, "text": message.text,
                        "html": message.html, "author": str(message.author or ""), "created_at": message.created_at.isoformat()},
            "contact": {"id": message.conversation.contact_id},
        }, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Parley-Timestamp": timestamp,
                   "X-Parley-Signature": sign(inbox.signing_secret, timestamp, body)}
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=CALLBACK_TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"callback unreachable: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(f"callback answered {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryError(f"callback refused the message with {response.status_code}", permanent=True)
        return DeliveryResult(external_id=f"callback-{message.pk}", status="delivered")
