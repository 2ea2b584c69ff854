"""OAuth2 for mailboxes that refuse passwords (Gmail, Microsoft 365): refreshing access tokens and SASL XOAUTH2.

An inbox stores its OAuth2 client and refresh token in `Inbox.config["oauth2"]` (checked by
`OAuth2Config` in config.py; the secret, refresh and access tokens are stored encrypted)::

    {"provider": "google" | "microsoft", "token_url": "...", "tenant": "organizations",
     "client_id": "...", "client_secret": "...", "refresh_token": "...", "scope": "...",
     "access_token": "...", "expires_at": "2025-04-05T17:00:00+00:00"}

`provider` fills in the token endpoint (and Microsoft's scopes); `token_url` overrides it.
Access tokens live about an hour; `token_refresh` trades the refresh token for a new one
with the refresh_token grant of RFC 6749 section 6.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import httpx
from django.utils import timezone

PROVIDERS = {
    "google": {"token_url": "https://oauth2.googleapis.com/token", "scope": ""},
    "microsoft": {
        "token_url": "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "scope": "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access",
    },
}
#: Refresh this long before the stated expiry, so a token never runs out between refresh and login.
EXPIRY_MARGIN = timedelta(seconds=60)
#: RFC 6749 only recommends expires_in; without it, assume the hour every major provider uses.
DEFAULT_LIFETIME_SECONDS = 3600


class OAuth2Error(Exception):
    """The token endpoint refused the refresh (`permanent`: the mailbox must be signed in again) or was unreachable."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.permanent = permanent


def xoauth2_string(user: str, access_token: str) -> bytes:
    """Return the SASL XOAUTH2 initial response (IMAP and SMTP clients base64-encode it)."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01".encode()


@dataclass(frozen=True)
class OAuth2Settings:
    token_url: str
    client_id: str
    client_secret: str
    refresh_token: str
    scope: str
    access_token: str
    expires_at: datetime | None

    @classmethod
    def of(cls, data: dict | None) -> OAuth2Settings | None:
        """Read the "oauth2" section of an inbox configuration (None when there is none)."""
        if not data:
            return None
        preset = PROVIDERS.get(data.get("provider", ""), {})
        expires_at = data.get("expires_at")
        # "organizations" lets any Microsoft 365 tenant sign in; a tenant id pins one.
        preset_url = preset.get("token_url", "").format(tenant=data.get("tenant") or "organizations")
        return cls(
            token_url=data.get("token_url") or preset_url,
            client_id=data.get("client_id", ""), client_secret=data.get("client_secret", ""),
            refresh_token=data.get("refresh_token", ""), scope=data.get("scope") or preset.get("scope", ""),
            access_token=data.get("access_token", ""), expires_at=_moment(expires_at) if expires_at else None,
        )

    def needs_refresh(self) -> bool:
        """Tell whether the access token is missing, of unknown age, or about to expire."""
        return not self.access_token or self.expires_at is None or self.expires_at - EXPIRY_MARGIN <= timezone.now()


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_at: datetime
    #: Set when the provider rotates refresh tokens (Microsoft does): the old one stops working.
    refresh_token: str


def token_refresh(settings: OAuth2Settings, *, timeout: float = 30) -> TokenGrant:
    """Trade the refresh token for a new access token at the token endpoint; raise OAuth2Error when refused."""
    form = {"grant_type": "refresh_token", "refresh_token": settings.refresh_token, "client_id": settings.client_id}
    if settings.client_secret:
        form["client_secret"] = settings.client_secret
    if settings.scope:
        form["scope"] = settings.scope
    try:
        response = httpx.post(settings.token_url, data=form, headers={"Accept": "application/json"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise OAuth2Error(f"the OAuth2 token endpoint {settings.token_url} is unreachable: {exc}", permanent=False) from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict) and body.get("access_token"):
        lifetime = int(body.get("expires_in") or DEFAULT_LIFETIME_SECONDS)
        return TokenGrant(body["access_token"], timezone.now() + timedelta(seconds=lifetime), body.get("refresh_token", ""))
    body = body if isinstance(body, dict) else {}
    description = body.get("error_description")
    error = " ".join(filter(None, [body.get("error", ""), f"({description})" if description else ""]))
    # RFC 6749 section 5.2: a refused grant or client is answered 400 or 401 and will not heal by itself.
    if response.status_code in (400, 401):
        raise OAuth2Error(f"the OAuth2 token endpoint refused the refresh token: {error or response.status_code}; "
                          "sign in to the mailbox again to give Parley a new one", permanent=True)
    raise OAuth2Error(f"the OAuth2 token endpoint answered {response.status_code} {error}".strip(), permanent=False)
