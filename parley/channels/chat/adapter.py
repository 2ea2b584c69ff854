"""The live chat channel: the widget on a customer's site talks to Parley over a WebSocket.

A visitor's frame is stored as an envelope (`{"visitor": <public id>, "text", "client_id"}`)
before anything else, like any provider's payload; `parse` turns it into an InboundMessage
for the visitor's identity. Replies reach an open widget live (the customer's real-time group);
when the visitor has gone, they follow by email if the visitor left an address.
"""
import base64
import re
from typing import Literal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator

from parley.channels.base import Capabilities, ChannelAdapter, DeliveryResult, InboundAttachment, InboundMessage
from parley.channels.capabilities import AttachmentRules
from parley.channels.config import ChannelConfig, WholeNumber, secret
from parley.channels.registry import get_adapter, register

#: Characters in one chat message, either way.
MAX_MESSAGE_CHARS = 5000
#: Files either side may send in a chat. No SVG: the widget shows images inline, and an SVG can carry script.
CHAT_ATTACHMENTS = AttachmentRules(types=("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"),
                                   max_bytes=5 * 1024 * 1024, max_count=1)
#: The languages the widget speaks (French in this app's locale folder, German and Spanish in the project's).
WIDGET_LANGUAGES = ("en", "fr", "de", "es")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ORIGIN = re.compile(r"^https?://[^/\s]+$")


class ChatConfig(ChannelConfig):
    """A chat inbox: where its widget may run, how it looks, and who the host site vouches for."""

    allowed_origins: list[str] = Field(
        default_factory=list, title="Allowed origins",
        description="sites that may embed the widget, one per line (https://shop.example.com); empty: Parley's own pages only")
    color: str = Field("#2563eb", title="Colour", description="the launcher's and the visitor's bubbles' colour (#rrggbb)")
    position: Literal["right", "left"] = Field("right", title="Position", description="the corner the launcher sits in")
    language: Literal["en", "fr", "de", "es"] = Field("en", title="Language",
                                                     description="the widget's words when the visitor's browser asks for none it speaks")
    identity_secret: str = secret(title="Identity secret",
                                  description="your backend signs a logged-in user's id with it (HMAC-SHA256); empty: no verification")
    prechat_form: bool = Field(False, title="Pre-chat form", description="ask for a name and email before the first message")
    proactive_message: str = Field("", title="Proactive greeting", description="shown once a day to a visitor who stays on a page")
    proactive_delay_seconds: WholeNumber = Field(30, title="Proactive delay (seconds)")
    proactive_paths: list[str] = Field(default_factory=list, title="Proactive pages",
                                       description="path prefixes where the greeting shows, one per line; empty: every page")

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        cleaned = [origin.strip().rstrip("/").lower() for origin in origins if origin.strip()]
        for origin in cleaned:
            if not _ORIGIN.match(origin):
                raise ValueError(f"{origin} is not an origin (scheme://host[:port], no path)")
        return cleaned

    @field_validator("color")
    @classmethod
    def _colour(cls, colour: str) -> str:
        if not _COLOUR.match(colour):
            raise ValueError("must be a colour like #2563eb")
        return colour


@register
class ChatAdapter(ChannelAdapter):
    kind = "chat"
    label = gettext_lazy("Live chat")
    continues_open_conversation = True
    capabilities = Capabilities(html=False, max_length=MAX_MESSAGE_CHARS, attachments=CHAT_ATTACHMENTS,
                                typing=True, read_receipts=True,
                                note=gettext_noop("live in the widget; by email once the visitor has left, if they gave an address"))
    config_schema = ChatConfig

    def parse(self, envelope) -> InboundMessage:
        from parley.channels.chat.models import ChatVisitor

        data = envelope.payload
        visitor = ChatVisitor.objects.filter(public_id=data.get("visitor"), inbox=envelope.inbox).first()
        if visitor is None:
            raise ValueError("the chat visitor is unknown")
        text = (data.get("text") or "").strip()
        attachments = tuple(
            InboundAttachment(filename=a["filename"], content_type=a["content_type"], content=base64.b64decode(a["content_base64"]))
            for a in data.get("attachments", []))
        if not text and not attachments:
            raise ValueError("a chat message needs text or a file")
        if visitor.verified_id:
            kind, network, source_id = "external_id", "", visitor.verified_id
        else:
            kind, network, source_id = "handle", "chat", str(visitor.public_id)
        return InboundMessage(external_id=envelope.external_id, identity_kind=kind, identity_network=network,
                              source_id=source_id, text=text[:MAX_MESSAGE_CHARS], contact_name=visitor.name or visitor.placeholder_name,
                              contact_email=visitor.email, attachments=attachments,
                              metadata={"chat_visitor": str(visitor.public_id)})

    def embed_snippet(self, inbox) -> str:
        # One script tag before </body>; docs/chat.md shows identity verification and setContext.
        src = settings.PARLEY_BASE_URL.rstrip("/") + reverse("chat:widget")
        return f'<script src="{src}" data-inbox="{inbox.key}" async></script>'

    def send(self, message) -> DeliveryResult:
        """Count a reply delivered when the visitor's widget is open; otherwise email it, as the web form does."""
        from parley.channels.chat.selectors import visitor_is_connected

        conversation = message.conversation
        if visitor_is_connected(inbox=conversation.inbox, contact_id=conversation.contact_id, now=timezone.now()):
            return DeliveryResult(external_id=f"chat-{message.pk}", status="delivered")
        if conversation.contact.email:
            return get_adapter("webform").send(message)
        # Nowhere else to send it: the widget shows it on the visitor's next visit.
        return DeliveryResult(external_id=f"chat-{message.pk}", status="sent")
