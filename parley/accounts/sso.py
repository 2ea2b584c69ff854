"""Single sign-on through an OpenID Connect provider (Keycloak, Entra ID, Google Workspace, Okta …).

mozilla-django-oidc runs the authorization-code flow (with PKCE and a nonce) and checks the ID token's signature
against the provider's keys. This backend decides who that is: an existing, active agent whose email the
provider vouches for. It never creates agents (admins invite them) and refuses a token issued to another client.
"""
import logging

from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from parley.accounts.models import User

logger = logging.getLogger(__name__)


class AgentOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as exc:
            # A forged, replayed or misdirected answer: the agent is sent back to the login page, told it failed.
            logger.warning("single sign-on refused: %s", exc)
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
