"""The channel adapter interface: what every channel package implements, and nothing more.

To add a channel, create `parley/channels/<kind>/adapter.py` with a `ChannelAdapter`
subclass decorated with `@register`, and list its package in INSTALLED_APPS (docs/channels.md
walks through one). Its `config_schema` (a `ChannelConfig`, see config.py) types the inbox
configuration and marks its secrets; `addresses` names what customers write to, for inbound
routing. Adapters know their provider's wire format and nothing about SLAs, routing or
automations: they declare the HTTP endpoints their provider calls, turn a stored
InboundEnvelope into InboundMessages and DeliveryReports, deliver an outbound Message, and
say what a message on their channel can carry.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Union

from parley.channels.capabilities import AttachmentRules, Capabilities

from parley.channels.config import ChannelConfig

if TYPE_CHECKING:
    from parley.channels.models import InboundEnvelope
    from parley.conversations.models import Message

__all__ = [
    "AttachmentRules", "Capabilities", "ChannelAdapter", "DeliveryError", "DeliveryReport", "DeliveryResult", "Endpoint",
    "InboundAttachment", "InboundMessage", "Parsed",
]


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
    #: The language the customer uses (a code of settings.LANGUAGES), when the channel knows it: the web form's browser.
    contact_language: str = ""
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
class DeliveryReport:
    """A provider's word on an outbound message (a status callback, a bounce), ready for delivery_report_apply.

    Status is one of queued, sent, delivered, read, failed; it only ever moves a message forward.
    """

    #: The provider's id of the outbound message (what send() returned as DeliveryResult.external_id).
    external_id: str
    status: str
    reason: str = ""
    #: When the provider says it happened.
    at: datetime | None = None
    #: The provider's id of this callback, when it has one (use it as the envelope's external id).
    event_id: str = ""


#: What parse() returns: one message, one report, several of either, or None for nothing to do.
Parsed = Union[InboundMessage, DeliveryReport, list[Union[InboundMessage, DeliveryReport]], None]


@dataclass(frozen=True)
class Endpoint:
    """An inbound HTTP endpoint of a channel, mounted at /channels/<kind>/[<inbox key>/]<path>.

    `path` uses Django's route syntax ("inbound/<str:provider>/"). The view is called as
    `view(request, **route_kwargs)`, with `inbox=` added for a per-inbox endpoint; it answers
    what the provider expects (parley.channels.webhooks.Webhook does the usual steps).
    """

    path: str
    view: Callable
    methods: tuple[str, ...] = ("POST",)
    #: True: mounted under the inbox's public key (one URL per inbox, as Telegram or Twilio want);
    #: False: one URL for the channel, where the payload names the inbox (an email's recipient).
    per_inbox: bool = False


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


@dataclass(frozen=True)
class ConnectionCheck:
    """One connection an inbox depends on, tried by "Test connection": what, whether it worked, and why not."""

    part: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class PollState:
    """How a channel that fetches its messages (IMAP) is doing: the last good fetch and the last failure."""

    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None


class ChannelAdapter:
    """Base class of every channel; subclasses set `kind`, `label` and `capabilities` and implement parse and send.

    Override `endpoints` when the provider calls Parley over HTTP, and set `config_schema` (and
    `addresses`) when an inbox of the channel has settings.
    """

    kind: ClassVar[str]
    label: ClassVar[str]
    #: What a message on this channel can carry; replies that do not fit are refused before they are queued.
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: Whether agents reply on this channel (a channel without outbound stores the reply only).
    can_send: ClassVar[bool] = True
    #: Whether a message with no thread reference continues the contact's open conversation in
    #: this inbox (chat, SMS, API) rather than starting a new one (email, web form).
    continues_open_conversation: ClassVar[bool] = False
    #: The inbox configuration's schema; the base one has no settings.
    config_schema: ClassVar[type[ChannelConfig]] = ChannelConfig

    def endpoints(self) -> list[Endpoint]:
        """Return the HTTP endpoints the provider calls (webhooks, status callbacks, handshakes)."""
        return []

    def parse(self, envelope: InboundEnvelope) -> Parsed:
        """Turn a stored raw payload into InboundMessages and DeliveryReports; raise ValueError on malformed input.

        Return one of them, a list mixing them (a provider batching several events), or None
        for a payload that needs nothing done: the envelope is then marked processed.
        """
        raise NotImplementedError

    def send(self, message: Message) -> DeliveryResult:
        """Deliver an outbound message; raise DeliveryError when it cannot be delivered."""
        raise NotImplementedError

    def console_urls(self, inbox) -> list[tuple[str, str]]:
        """Return (what it is for, URL) of the webhook URLs to paste into the provider's console for `inbox`."""
        from django.conf import settings

        from parley.channels.webhooks import endpoint_urls

        # The channel's shared endpoints too (the payload names the inbox), e.g. an email provider's inbound hook.
        base = settings.PARLEY_BASE_URL.rstrip("/")
        shared = [f"{base}/channels/{inbox.kind}/{endpoint.path}" for endpoint in self.endpoints() if not endpoint.per_inbox]
        return [(url.rstrip("/").rsplit("/", 1)[-1], url) for url in [*endpoint_urls(inbox), *shared]]

    def settings_links(self, inbox) -> list[tuple[str, str]]:
        """Return (label, URL) of the channel's own settings screens for `inbox` (a voice inbox's call menu)."""
        return []

    def reply_refusal(self, conversation) -> str:
        """Return why no reply may be sent in this conversation now (the customer opted out …), or "" when one may.

        Asked before a reply is stored and shown in the composer; `send` should refuse it too,
        for replies queued before the reason arose.
        """
        return ""

    def acknowledgement(self, conversation) -> str:
        """Return the automatic answer a new conversation gets on this channel ("" for none).

        It is queued as a reply through the outbox once the conversation's first message is in.
        """
        return ""

    def addresses(self, config: dict) -> list[Address]:
        """Return the addresses a (validated, plain) configuration receives on, normalised with address_normalize."""
        return []

    def test_connection(self, config: dict) -> list[ConnectionCheck]:
        """Try what a (validated, plain) configuration connects to: log in, handshake, ping the provider.

        Return one check per connection, each saying in plain words what happened; never raise for a
        failed connection. The default, for channels the provider calls and Parley never dials, is [].
        """
        return []

    def embed_snippet(self, inbox) -> str:
        """Return the HTML an admin pastes into their own site to reach this inbox ("" when there is none)."""
        return ""

    def poll_state(self, inbox) -> PollState | None:
        """Return how fetching the inbox's messages goes, for its health card; None for channels that are called."""
        return None
