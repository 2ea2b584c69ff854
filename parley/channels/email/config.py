"""An email inbox's configuration: addresses, IMAP and SMTP servers, and the receiving rules.

Checked by `EmailInboxConfig` (below) and stored in `Inbox.config` as JSON, every secret field
(passwords, tokens, the ESP backend's options) encrypted::

    {"addresses": ["support@example.com"], "display_name": "Example Support",
     "imap": {"host": "imap.example.com", "port": 993, "security": "ssl", "username": "...",
              "auth": "password" | "oauth2", "password": "..." | "oauth2_token": "...", "folder": "INBOX",
              "move_to": ""},
     "smtp": {"host": "smtp.example.com", "port": 587, "security": "starttls", "username": "...",
              "auth": "password" | "oauth2", "password": "..."}
             |  {"backend": "anymail.backends.mailgun.EmailBackend", "options": {...}},
     "oauth2": {...},  (see oauth2.py: the client and refresh token behind "auth": "oauth2")
     "thread_window_days": 7, "reply_to_closed": "reopen" | "follow_up",
     "block": ["spam@example.net", "@spam.example"], "allow": [], "rate_limit_per_hour": 30,
     "auto_acknowledge": false, "acknowledgement_text": "..."}

Without "smtp" replies go out through the site's default mail backend (Django's EMAIL_* settings).
A server with "auth": "oauth2" logs in with SASL XOAUTH2, using its own fixed "oauth2_token" or
else the access token kept fresh from the "oauth2" section.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from django.core.validators import EmailValidator, ValidationError
from django.utils.translation import gettext_lazy
from pydantic import Field, field_validator

from parley.channels.addresses import address_key
from parley.channels.config import ChannelConfig, WholeNumber, secret
from parley.channels.email.oauth2 import PROVIDERS, OAuth2Settings

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
#: Written in each customer's language when the inbox keeps the default (an own text is sent as it is written).
DEFAULT_ACKNOWLEDGEMENT = gettext_lazy(
    "Thank you for writing to us. We received your message and will answer as soon as we can.\n"
    "Your reference is #{number}; keep it in the subject if you write again."
)


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    security: str = "ssl"
    auth: str = "password"
    username: str = ""
    password: str = ""
    oauth2_token: str = ""
    folder: str = "INBOX"
    move_to: str = ""
    timeout: int = 30


@dataclass(frozen=True)
class EmailConfig:
    addresses: tuple[str, ...]
    display_name: str = ""
    imap: ServerSettings | None = None
    smtp: ServerSettings | None = None
    #: Dotted path of a Django mail backend (an anymail ESP) with its options, instead of SMTP.
    backend: str = ""
    backend_options: dict = field(default_factory=dict)
    oauth2: OAuth2Settings | None = None
    thread_window_days: int = 7
    reply_to_closed: str = "reopen"
    block: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    rate_limit_per_hour: int = 30
    auto_acknowledge: bool = False
    acknowledgement_text: str = DEFAULT_ACKNOWLEDGEMENT

    @classmethod
    def of(cls, inbox) -> EmailConfig:
        """Read an inbox's configuration (checked by EmailInboxConfig when it was stored)."""
        return cls.from_settings(inbox.settings, name=inbox.name)

    @classmethod
    def from_settings(cls, config: dict, *, name: str = "") -> EmailConfig:
        """Read a plain (decrypted, validated) configuration; `name` is the display name it falls back to."""
        smtp = config.get("smtp") or {}
        oauth2 = OAuth2Settings.of(config.get("oauth2"))
        access_token = oauth2.access_token if oauth2 else ""
        return cls(
            addresses=tuple(a.strip().lower() for a in config.get("addresses", ())),
            display_name=config.get("display_name", "") or name,
            imap=_server(config.get("imap"), default_port=993, access_token=access_token),
            smtp=None if smtp.get("backend") else _server(smtp, default_port=587, access_token=access_token),
            backend=smtp.get("backend", ""),
            backend_options=smtp.get("options") or {},
            oauth2=oauth2,
            thread_window_days=int(config.get("thread_window_days", 7)),
            reply_to_closed=config.get("reply_to_closed", "reopen"),
            block=tuple(e.strip().lower() for e in config.get("block", ())),
            allow=tuple(e.strip().lower() for e in config.get("allow", ())),
            rate_limit_per_hour=int(config.get("rate_limit_per_hour", 30)),
            auto_acknowledge=bool(config.get("auto_acknowledge", False)),
            acknowledgement_text=config.get("acknowledgement_text") or DEFAULT_ACKNOWLEDGEMENT,
        )

    @property
    def from_address(self) -> str:
        return self.addresses[0]

    def is_own_address(self, address: str) -> bool:
        return address_key(address) in {address_key(a) for a in self.addresses}

    def sender_refusal(self, address: str) -> str:
        """Return why mail from `address` is not accepted by the block/allow lists ("" when it is)."""
        if any(_matches(address, entry) for entry in self.block):
            return f"{address} is on the inbox's block list"
        if self.allow and not any(_matches(address, entry) for entry in self.allow):
            return f"{address} is not on the inbox's allow list"
        return ""


def _matches(address: str, entry: str) -> bool:
    address = address.lower()
    if "@" in entry.lstrip("@"):
        return address_key(address) == address_key(entry)
    return address.rpartition("@")[2] == entry.lstrip("@")


def _server(data: dict | None, *, default_port: int, access_token: str) -> ServerSettings | None:
    if not data or not data.get("host"):
        return None
    auth = _auth_mode(data)
    return ServerSettings(
        host=data["host"], port=int(data.get("port") or default_port), security=data.get("security", "ssl"), auth=auth,
        username=data.get("username", ""), password=data.get("password", ""),
        oauth2_token=(data.get("oauth2_token") or access_token) if auth == "oauth2" else "",
        folder=data.get("folder") or "INBOX", move_to=data.get("move_to", ""), timeout=int(data.get("timeout", 30)),
    )


def _auth_mode(server: dict) -> str:
    # A fixed "oauth2_token" alone has always meant XOAUTH2; "auth" says so explicitly.
    return server.get("auth") or ("oauth2" if server.get("oauth2_token") else "password")


Security = Literal["ssl", "starttls", "none"]
AuthMode = Literal["password", "oauth2"]


class ImapConfig(ChannelConfig):
    host: str = Field(min_length=1, title="IMAP server", description="e.g. imap.example.com")
    port: int | None = Field(None, description="993 when empty")
    security: Security = "ssl"
    auth: AuthMode | None = Field(None, description="password, or oauth2 with the OAuth2 section below")
    username: str = ""
    password: str = secret()
    oauth2_token: str = secret(title="Fixed OAuth2 access token", description="only without the OAuth2 section")
    folder: str = "INBOX"
    move_to: str = Field("", description="a folder to move fetched mail to (it is marked seen otherwise)")
    timeout: WholeNumber = Field(30, description="seconds")


class SmtpConfig(ChannelConfig):
    host: str = Field("", title="SMTP server", description="empty: replies go out through the site's mail settings")
    port: int | None = Field(None, description="587 when empty")
    security: Security = "ssl"
    auth: AuthMode | None = None
    username: str = ""
    password: str = secret()
    oauth2_token: str = secret(title="Fixed OAuth2 access token")
    timeout: WholeNumber = Field(30, description="seconds")
    backend: str = Field("", description="an ESP's Django mail backend (anymail) instead of an SMTP server")
    options: dict = secret(default_factory=dict, description="the backend's options as JSON (API keys …)")


class OAuth2Config(ChannelConfig):
    provider: Literal["google", "microsoft"] | None = None
    tenant: str = Field("", description="Microsoft 365 tenant (organizations when empty)")
    token_url: str = Field("", description="only without a provider")
    client_id: str = Field(min_length=1)
    client_secret: str = secret()
    refresh_token: str = secret(..., min_length=1)
    scope: str = ""
    access_token: str = secret()
    expires_at: str = ""

    @field_validator("token_url")
    @classmethod
    def _tls_only(cls, url: str) -> str:
        parts = urlsplit(url)
        # The client secret and refresh token travel in the request: only loopback may skip TLS.
        if url and not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)):
            raise ValueError("must be an https:// URL")
        return url

    @field_validator("expires_at")
    @classmethod
    def _moment(cls, value: str) -> str:
        if value:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValueError("must be an ISO 8601 date and time") from None
        return value


class EmailInboxConfig(ChannelConfig):
    """An email inbox: its addresses, where mail is fetched and sent, and the receiving rules."""

    addresses: list[str] = Field(default_factory=list, validate_default=True, description="one per line; the first one sends")
    display_name: str = ""
    imap: ImapConfig | None = Field(None, title="Fetch mail by IMAP")
    smtp: SmtpConfig | None = Field(None, title="Send replies by SMTP")
    oauth2: OAuth2Config | None = Field(None, title="OAuth2 (Google, Microsoft 365)")
    thread_window_days: WholeNumber = 7
    reply_to_closed: Literal["reopen", "follow_up"] = "reopen"
    block: list[str] = Field([], description="addresses or @domains, one per line")
    allow: list[str] = Field([], description="when set, only these addresses or @domains")
    rate_limit_per_hour: WholeNumber = 30
    auto_acknowledge: bool = False
    acknowledgement_text: str = Field("", description="empty: the default text, in each customer's language; "
                                                     "{number} is the conversation's number")

    @field_validator("addresses")
    @classmethod
    def _email_addresses(cls, addresses: list[str]) -> list[str]:
        if not addresses:
            raise ValueError("at least one email address is required")
        for address in addresses:
            try:
                EmailValidator()(address)
            except ValidationError:
                raise ValueError(f"{address!r} is not an email address") from None
        return [address.strip().lower() for address in addresses]

    def problems(self) -> dict[str, str]:
        problems = {}
        for name in ("imap", "smtp"):
            server = getattr(self, name)
            if server is None or (name == "smtp" and server.backend):
                continue
            auth = server.auth or _auth_mode(server.model_dump())
            if name == "smtp" and not server.host:
                problems["smtp.host"] = "required"
            elif auth == "oauth2" and not (server.oauth2_token or self.oauth2):
                problems[f"{name}.auth"] = 'OAuth2 needs an "oauth2" section with the client and refresh token'
            elif name == "imap" and auth == "password" and not server.password:
                problems["imap.password"] = "a password or an OAuth2 access token is required"
        if self.oauth2 and not self.oauth2.token_url and self.oauth2.provider not in PROVIDERS:
            problems["oauth2.token_url"] = "required without a known provider"
        return problems
