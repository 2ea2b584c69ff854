"""The channel adapter interface: what every channel package implements, and nothing more.

To add a channel, create `parley/channels/<kind>/adapter.py` with a `ChannelAdapter`
subclass decorated with `@register`, and list its package in INSTALLED_APPS. Adapters
know their provider's wire format and nothing about SLAs, routing or automations: they
turn a stored InboundEnvelope into an InboundMessage, and deliver an outbound Message.
"""
from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from parley.channels.models import InboundEnvelope
    from parley.conversations.models import Message


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A customer message in channel-neutral form, ready for conversations.services.message_receive."""

    external_id: str
    identity_kind: str
    source_id: str
    text: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    subject: str = ""
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    #: Provider ids of earlier messages this one answers (email References, a chat thread id …).
    thread_refs: tuple[str, ...] = ()
    #: A conversation the channel already knows this message belongs to (its own session, say).
    conversation_id: int | None = None
    #: A closed conversation this message follows up: a new conversation is opened and linked to it.
    follow_up_of: int | None = None
    participants: tuple[tuple[str, str], ...] = ()
    metadata: dict = field(default_factory=dict)

    def to_payload(self) -> dict:
        """Return this message as JSON for an envelope (attachments base64), for sources that need no parsing."""
        data = asdict(self)
        data["attachments"] = [{**a, "content": base64.b64encode(a["content"]).decode("ascii")} for a in data["attachments"]]
        return data

    @classmethod
    def from_payload(cls, data: dict) -> InboundMessage:
        """Rebuild a message stored by `to_payload`."""
        attachments = tuple(InboundAttachment(**{**a, "content": base64.b64decode(a["content"])}) for a in data["attachments"])
        return cls(**{**data, "attachments": attachments, "thread_refs": tuple(data["thread_refs"]),
                      "participants": tuple(tuple(p) for p in data["participants"])})


@dataclass(frozen=True)
class DeliveryResult:
    """What a send achieved: the provider's id for the message and the status it reached."""

    external_id: str = ""
    status: str = "sent"


class DeliveryError(Exception):
    """Raise from send(): `permanent` failures are not retried (a rejected address, a 4xx)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class ChannelAdapter:
    """Base class of every channel; subclasses set `kind` and implement parse and send."""

    kind: ClassVar[str]
    label: ClassVar[str]
    #: Whether agents reply on this channel (a channel without outbound stores the reply only).
    can_send: ClassVar[bool] = True
    #: Whether a message with no thread reference continues the contact's open conversation in
    #: this inbox (chat, SMS, API) rather than starting a new one (email, web form).
    continues_open_conversation: ClassVar[bool] = False

    def parse(self, envelope: InboundEnvelope) -> InboundMessage | None:
        """Turn a stored raw payload into an InboundMessage; raise ValueError on malformed input.

        Return None for a payload that carries no customer message and that the adapter has
        fully handled itself (a delivery report, say): the envelope is then marked processed.
        """
        raise NotImplementedError

    def send(self, message: Message) -> DeliveryResult:
        """Deliver an outbound message; raise DeliveryError when it cannot be delivered."""
        raise NotImplementedError

    def acknowledgement(self, conversation) -> str:
        """Return the automatic answer a new conversation gets on this channel ("" for none).

        It is queued as a reply through the outbox once the conversation's first message is in.
        """
        return ""

    def validate_config(self, config: dict) -> dict:
        """Return field -> problem for an inbox configuration (empty when it is fine)."""
        return {}
