"""An email inbox's configuration: addresses, IMAP and SMTP servers, and the receiving rules.

Stored in `Inbox.config` as JSON::

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

from django.core.validators import EmailValidator, ValidationError

from parley.channels.email.oauth2 import OAuth2Settings, validate_oauth2

SECURITY_MODES = ("ssl", "starttls", "none")
AUTH_MODES = ("password", "oauth2")
REPLY_TO_CLOSED = ("reopen", "follow_up")
DEFAULT_ACKNOWLEDGEMENT = (
    "Thank you for writing to us. We received your message and will answer as soon as we can.\n"
    "Your reference is #{number}; keep it in the subject if you write again."
)


def address_key(address: str) -> str:
    """Return the address lower-cased and without its +tag, so "Support+x@Ex.com" finds support@ex.com."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else domain


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
        """Read an inbox's stored configuration (already checked by validate_email_config)."""
        config = inbox.config or {}
        smtp = config.get("smtp") or {}
        oauth2 = OAuth2Settings.of(config.get("oauth2"))
        access_token = oauth2.access_token if oauth2 else ""
        return cls(
            addresses=tuple(a.strip().lower() for a in config.get("addresses", ())),
            display_name=config.get("display_name", "") or inbox.name,
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


def validate_email_config(config: dict) -> dict:
    """Return field -> problem for an email inbox configuration (empty when it is fine)."""
    problems: dict[str, str] = {}
    addresses = config.get("addresses")
    if not addresses or not isinstance(addresses, list):
        problems["addresses"] = "at least one email address is required"
    else:
        try:
            for address in addresses:
                EmailValidator()(address)
        except (ValidationError, TypeError):
            problems["addresses"] = f"{address!r} is not an email address"
    for name in ("imap", "smtp"):
        server = config.get(name)
        if server is None:
            continue
        if not isinstance(server, dict):
            problems[name] = "must be an object"
        elif name == "smtp" and server.get("backend"):
            if not isinstance(server.get("options", {}), dict):
                problems["smtp.options"] = "must be an object"
        elif not server.get("host"):
            problems[f"{name}.host"] = "required"
        elif server.get("security", "ssl") not in SECURITY_MODES:
            problems[f"{name}.security"] = f"must be one of {', '.join(SECURITY_MODES)}"
        elif not str(server.get("port", "1")).isdigit():
            problems[f"{name}.port"] = "must be a number"
        elif _auth_mode(server) not in AUTH_MODES:
            problems[f"{name}.auth"] = f"must be one of {', '.join(AUTH_MODES)}"
        elif _auth_mode(server) == "oauth2" and not (server.get("oauth2_token") or config.get("oauth2")):
            problems[f"{name}.auth"] = 'OAuth2 needs an "oauth2" section with the client and refresh token'
        elif name == "imap" and not (server.get("password") or _auth_mode(server) == "oauth2"):
            problems["imap.password"] = "a password or an OAuth2 access token is required"
    if config.get("oauth2") is not None:
        problems.update(validate_oauth2(config["oauth2"]))
    if config.get("reply_to_closed", "reopen") not in REPLY_TO_CLOSED:
        problems["reply_to_closed"] = f"must be one of {', '.join(REPLY_TO_CLOSED)}"
    for name in ("thread_window_days", "rate_limit_per_hour"):
        value = config.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems[name] = "must be a whole number, 0 or more"
    for name in ("block", "allow"):
        if not isinstance(config.get(name, []), list):
            problems[name] = "must be a list of addresses or domains"
    return problems
