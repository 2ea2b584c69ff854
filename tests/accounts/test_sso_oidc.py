"""Single sign-on against a real OpenID Connect provider on a local port (tests/accounts/oidc_provider.py): the browser's
redirects are followed by hand, Parley talks to the provider's token, JWKS and userinfo endpoints over HTTP."""
import pyotp
import pytest
from django.urls import reverse

from oidc_provider import LocalOidcProvider, sso_sign_in
from parley.accounts.security import two_factor_begin, two_factor_confirm

HOME, LOGIN = reverse("workspace:home"), reverse("workspace:login")


@pytest.fixture
def provider(settings):
    local = LocalOidcProvider()
    for name, value in local.settings().items():
        setattr(settings, name, value)
    settings.PARLEY_OIDC_NAME = "Acme ID"
    yield local
    local.close()


def test_the_login_page_offers_single_sign_on_when_configured(client, provider, db):
    page = client.get(LOGIN).content.decode()

    assert "Sign in with Acme ID" in page and reverse("oidc_authentication_init") in page


def test_an_agent_the_provider_vouches_for_is_signed_in(client, provider, agent):
    response = sso_sign_in(client, provider, email=agent.email.upper())

    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert int(client.session["_auth_user_id"]) == agent.pk


@pytest.mark.parametrize("case", ["unknown email", "unverified email", "deactivated agent", "token for another client"])
def test_the_provider_cannot_sign_in_anyone_else(client, provider, agent, case):
    email, verified = agent.email, True
    if case == "unknown email":
        email = "stranger@example.test"
    elif case == "unverified email":
        verified = False
    elif case == "deactivated agent":
        agent.is_active = False
        agent.save()
    else:
        provider.audience = "some-other-app"

    response = sso_sign_in(client, provider, email=email, email_verified=verified)

    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"
    assert client.get(HOME).status_code == 302
    assert "Single sign-on did not sign you in" in client.get(response["Location"]).content.decode()


def test_an_agent_with_two_factor_still_types_the_code_after_single_sign_on(client, provider, agent):
    totp = pyotp.TOTP(two_factor_begin(user=agent))
    two_factor_confirm(user=agent, code=totp.now())

    response = sso_sign_in(client, provider, email=agent.email)

    assert response["Location"] == reverse("workspace:login-code")
    assert client.get(HOME).status_code == 302


def test_without_configuration_there_is_no_single_sign_on(client, db):
    assert "Sign in with" not in client.get(LOGIN).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
