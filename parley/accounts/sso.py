"""Single sign-on through an OpenID Connect provider (Keycloak, Entra ID, Google Workspace, Okta …).

mozilla-django-oidc runs the authorization-code flow (with PKCE and a nonce) and checks the ID token's signature
against the provider's keys. This backend decides who that is: an existing, active agent whose email the
provider vouches for. It never creates agents (admins invite them) and refuses a token issued to another client.

Admins configure the provider in Settings → Security → Single sign-on; until they save it there, the PARLEY_OIDC_*
environment variables do (parley/settings.py).
"""
import logging
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from parley.accounts.models import SingleSignOn, User
from parley.accounts.permissions import require
from parley.channels.secrets import SecretUnreadable, decrypt, encrypt, reencrypt
from parley.core.errors import ValidationFailed
from parley.core.services import audit_record

logger = logging.getLogger(__name__)

#: How the provider may sign ID tokens: RS/ES against its JWKS keys, HS256 with the client secret.
SIGN_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256")
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_endpoint")
#: Plain http is for a provider on the same machine (tests, labs): anywhere else the codes and tokens would travel in clear.
HTTP_HOSTS = ("localhost", "127.0.0.1")
MAX_LENGTHS = {"provider_name": 80, "client_id": 255, "client_secret": 2000, **{name: 500 for name in ENDPOINTS}}
DEFAULT_PROVIDER_NAME = "single sign-on"
#: The mozilla-django-oidc settings, by SsoConfig field: what the library is given, and where parley/settings.py puts
#: the PARLEY_OIDC_* environment variables.
LIBRARY_SETTINGS = {"client_id": "OIDC_RP_CLIENT_ID", "client_secret": "OIDC_RP_CLIENT_SECRET",
                    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT", "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
                    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT", "jwks_endpoint": "OIDC_OP_JWKS_ENDPOINT"}


@dataclass(frozen=True)
class SsoConfig:
    enabled: bool
    #: The login button says "Sign in with <provider_name>".
    provider_name: str
    client_id: str
    client_secret: str = field(repr=False)
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    sign_algo: str
    #: False while the PARLEY_OIDC_* environment variables configure it (no admin saved it in the workspace).
    saved_in_workspace: bool

    @property
    def client_secret_set(self) -> bool:
        return bool(self.client_secret)

    def library_settings(self) -> dict:
        """The mozilla-django-oidc settings that point it at this provider."""
        return {**{setting: getattr(self, name) for name, setting in LIBRARY_SETTINGS.items()},
                "OIDC_RP_SIGN_ALGO": self.sign_algo}


def sso_config() -> SsoConfig:
    """Return the single sign-on provider saved in the workspace, or the environment's while none was saved."""
    row = SingleSignOn.objects.first()
    if row is None:
        environment = {name: getattr(settings, setting, "") for name, setting in LIBRARY_SETTINGS.items()}
        return SsoConfig(**environment, enabled=bool(environment["client_id"]),
                         provider_name=getattr(settings, "PARLEY_OIDC_NAME", "") or DEFAULT_PROVIDER_NAME,
                         sign_algo=getattr(settings, "OIDC_RP_SIGN_ALGO", "") or "RS256", saved_in_workspace=False)
    return SsoConfig(enabled=row.enabled, provider_name=row.provider_name or DEFAULT_PROVIDER_NAME, client_id=row.client_id,
                     client_secret=_readable_secret(row), authorization_endpoint=row.authorization_endpoint,
                     token_endpoint=row.token_endpoint, userinfo_endpoint=row.userinfo_endpoint,
                     jwks_endpoint=row.jwks_endpoint, sign_algo=row.sign_algo, saved_in_workspace=True)


def _readable_secret(row: SingleSignOn) -> str:
    try:
        return decrypt(row.client_secret)
    except SecretUnreadable as exc:
        # The key it was encrypted with was dropped: the login page must still open (passwords work); single sign-on
        # fails at the provider until an admin types the secret again.
        logger.error("the single sign-on client secret is unreadable: %s", exc)
        return ""


def _endpoint_problem(url: str) -> str | None:
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        return gettext("Enter a web address such as https://id.example.com/authorize.")
    if urlsplit(url).scheme == "http" and urlsplit(url).hostname not in HTTP_HOSTS:
        return gettext("Use an https:// address (http:// only for localhost or 127.0.0.1).")
    return None


def _problems(*, enabled: bool, values: dict[str, str]) -> dict[str, str]:
    """Return what is wrong, by field: a name too long, an endpoint that is no https address, what is missing when on."""
    problems = {}
    for name, value in values.items():
        if name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            problems[name] = gettext("At most %(count)s characters.") % {"count": MAX_LENGTHS[name]}
        elif name in ENDPOINTS and value:
            if problem := _endpoint_problem(value):
                problems[name] = problem
    if values["sign_algo"] not in SIGN_ALGORITHMS:
        problems["sign_algo"] = gettext("Choose one of %(algorithms)s.") % {"algorithms": ", ".join(SIGN_ALGORITHMS)}
    if enabled:
        for name in ("client_id", *ENDPOINTS):
            if not values[name]:
                problems.setdefault(name, gettext("Required while single sign-on is on."))
    return problems


@transaction.atomic
def sso_config_update(*, actor, enabled: bool, provider_name: str, client_id: str, client_secret: str | None,
                      authorization_endpoint: str, token_endpoint: str, userinfo_endpoint: str, jwks_endpoint: str,
                      sign_algo: str = "RS256") -> SsoConfig:
    """Save the single sign-on provider; an empty `client_secret` keeps the one in use. It applies to the next sign-in."""
    require(actor, "security.manage")
    values = {"provider_name": provider_name, "client_id": client_id, "authorization_endpoint": authorization_endpoint,
              "token_endpoint": token_endpoint, "userinfo_endpoint": userinfo_endpoint, "jwks_endpoint": jwks_endpoint,
              "sign_algo": sign_algo}
    values = {name: value.strip() for name, value in values.items()}
    client_secret = (client_secret or "").strip()
    problems = _problems(enabled=enabled, values={**values, "client_secret": client_secret})
    if problems:
        raise ValidationFailed(gettext("Single sign-on was not saved: %(problem)s") % {"problem": next(iter(problems.values()))},
                               extra=problems)
    row = SingleSignOn.objects.select_for_update().first()
    # The first save takes over from the environment: its secret is the one "kept" when none is typed.
    secret_in_use = _readable_secret(row) if row else getattr(settings, "OIDC_RP_CLIENT_SECRET", "")
    row = row or SingleSignOn()
    wanted = {"enabled": enabled, **values}
    changes = {name: [getattr(row, name), value] for name, value in wanted.items() if getattr(row, name) != value}
    secret = client_secret or secret_in_use
    if secret != (_readable_secret(row) if row.pk else ""):
        changes["client_secret"] = "changed"  # never the value, not even in the audit log
    for name, value in wanted.items():
        setattr(row, name, value)
    row.client_secret = encrypt(secret) if secret else ""
    row.save()
    if changes:
        audit_record(actor=actor, action="security.sso_updated", target=row, changes=changes)
    return sso_config()


def sso_secret_rotate() -> bool:
    """Re-encrypt the saved client secret with the first key of PARLEY_ENCRYPTION_KEYS; return whether there was one."""
    row = SingleSignOn.objects.select_for_update().exclude(client_secret="").first()
    if row is None:
        return False
    SingleSignOn.objects.filter(pk=row.pk).update(client_secret=reencrypt(row.client_secret))
    return True


class WorkspaceOidcSettings:
    """Give mozilla-django-oidc the provider from sso_config() instead of Django's settings.

    The library reads its settings through `get_settings` on its backend and views, and Django makes both afresh for
    every sign-in and request, so what an admin saves applies to the next sign-in in every process, without a restart.
    """

    @cached_property
    def sso(self) -> SsoConfig:
        return sso_config()

    def get_settings(self, attr, *args):
        provider = self.sso.library_settings()
        return provider[attr] if attr in provider else import_from_settings(attr, *args)


class AgentOIDCBackend(WorkspaceOidcSettings, OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if not self.sso.enabled:
            # Turned off while an agent was at the provider: its answer signs nobody in.
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            # A forged, replayed or misdirected answer: the agent is sent back to the login page, told it failed.
            logger.warning("single sign-on refused: %s", exc)
            return None
        except OSError as exc:
            # requests' errors are OSErrors: the provider is down, or refuses our client secret. The agent is told it
            # failed rather than shown a server error; the admin finds why in the log.
            logger.warning("single sign-on failed at the provider: %s", exc)
            return None

    def verify_claims(self, claims) -> bool:
        # A provider that says the address is unverified does not vouch for it.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        return User.objects.filter(email__iexact=claims.get("email", ""), is_active=True)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # The library leaves the audience unchecked: a token the provider issued to another application must not
        # sign anyone in here.
        audience = payload.get("aud")
        if self.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload
