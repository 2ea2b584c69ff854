"""The channel adapter interface: what every channel package implements, and nothing more.

To add a channel, create `parley/channels/<kind>/adapter.py` with a `ChannelAdapter`
subclass decorated with `@register`, and list its package in INSTALLED_APPS. Its
`config_schema` (a `ChannelConfig`, see config.py) types the inbox configuration and
marks its secrets; `addresses` names what customers write to, for inbound routing. Adapters
know their provider's wire format and nothing about SLAs, routing or automations: they
turn a stored InboundEnvelope into an InboundMessage, and deliver an outbound Message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from parley.channels.config import ChannelConfig

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
    #: The network of a "handle" identity (telegram, x, messenger, instagram, chat …).
    identity_network: str = ""
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


@dataclass(frozen=True)
class Address:
    """An address an inbox receives on: `kind` is email, phone, page or username; `field` is where the configuration says so."""

    kind: str
    value: str
    field: str


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
    #: The inbox configuration's schema; the base one has no settings.
    config_schema: ClassVar[type[ChannelConfig]] = ChannelConfig

    def parse(self, envelope: InboundEnvelope) -> InboundMessage | None:
        """Turn a stored raw payload into an InboundMessage; raise ValueError on malformed input.

        Return None for a payload that carries no customer message and that the adapter has
        fully handled itself (a delivery report, say): the envelope is then marked processed.
        """
        raise NotImplementedError

    def send(self, message: Message) -> DeliveryResult:
        """Deliver an outbound message; raise DeliveryError when it cannot be delivered."""
        raise NotImplementedError

    def addresses(self, config: dict) -> list[Address]:
        """Return the addresses a (validated, plain) configuration receives on, normalised with address_normalize."""
        return []
