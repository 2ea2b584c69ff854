"""Single sign-on configured by an admin in Settings → Security → Single sign-on (and PUT /api/v1/security/sso),
against the real local provider (tests/accounts/oidc_provider.py), with no OIDC_* settings in the environment."""
import json

import pytest
from django.test import Client
from django.urls import reverse

from oidc_provider import LocalOidcProvider, sso_sign_in
from parley.accounts.models import Role, SingleSignOn
from parley.core.models import AuditEntry

HOME, LOGIN, SCREEN = reverse("workspace:home"), reverse("workspace:login"), reverse("workspace:sso-settings")
PROVIDER_SETTINGS = ("OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                     "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT", "OIDC_RP_SIGN_ALGO", "PARLEY_OIDC_NAME")


@pytest.fixture
def provider(settings):
    # No provider in the settings at all: whatever works below, the workspace configured.
    for name in PROVIDER_SETTINGS:
        delattr(settings, name)
    local = LocalOidcProvider(client_secret="pr0vider-s3cret-value")
    yield local
    local.close()


@pytest.fixture
def admin_client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def saved_on_screen(admin_client, provider, **changes):
    form = {"enabled": "on", "provider_name": "Acme ID", **provider.registration(), "sign_algo": "RS256", **changes}
    return admin_client.post(SCREEN, {name: value for name, value in form.items() if value is not None}, follow=True)


def test_an_admin_configures_single_sign_on_on_the_screen_and_an_agent_signs_in_with_it(admin_client, provider, agent):
    before = Client().get(LOGIN).content.decode()

    saved = saved_on_screen(admin_client, provider)
    visitor = Client()
    login_page = visitor.get(LOGIN).content.decode()
    response = sso_sign_in(visitor, provider, email=agent.email)

    assert "Sign in with" not in before
    assert saved.status_code == 200 and "Single sign-on was saved" in saved.content.decode()
    assert "Sign in with Acme ID" in login_page
    assert response.status_code == 302 and response["Location"] == HOME
    assert visitor.get(HOME).status_code == 200 and int(visitor.session["_auth_user_id"]) == agent.pk


def test_the_secret_is_stored_encrypted_and_shown_neither_on_the_page_nor_in_the_audit_log(admin_client, provider):
    saved = saved_on_screen(admin_client, provider).content.decode()
    page = admin_client.get(SCREEN).content.decode()
    audit_page = admin_client.get(reverse("workspace:audit-log")).content.decode()

    entry = AuditEntry.objects.get(action="security.sso_updated")
    assert "pr0vider-s3cret-value" not in saved + page + audit_page
    assert "A client secret is in use." in page and provider.registration()["token_endpoint"] in page
    assert entry.changes["client_secret"] == "changed" and "pr0vider-s3cret-value" not in json.dumps(entry.changes)
    assert entry.changes["client_id"] == ["", "parley"]
    assert "pr0vider-s3cret-value" not in SingleSignOn.objects.get().client_secret


def test_leaving_the_secret_empty_keeps_the_saved_one(admin_client, provider, agent):
    saved_on_screen(admin_client, provider)

    renamed = saved_on_screen(admin_client, provider, provider_name="Acme Login", client_secret="")
    visitor = Client()
    login_page = visitor.get(LOGIN).content.decode()
    response = sso_sign_in(visitor, provider, email=agent.email)

    assert renamed.status_code == 200 and "Sign in with Acme Login" in login_page
    assert response["Location"] == HOME  # the provider still got the right secret
    renaming = AuditEntry.objects.filter(action="security.sso_updated").first()
    assert renaming.changes == {"provider_name": ["Acme ID", "Acme Login"]}


def test_settings_saved_in_the_workspace_win_over_the_environment(admin_client, provider, settings, agent):
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    offered = Client().get(LOGIN).content.decode()

    saved_on_screen(admin_client, provider, enabled=None)
    visitor = Client()

    assert "Sign in with" in offered
    assert "Sign in with" not in visitor.get(LOGIN).content.decode()
    assert visitor.get(reverse("oidc_authentication_init")).status_code == 404


@pytest.mark.parametrize("changes, field_error", [
    ({"token_endpoint": "http://id.example.com/token"}, "Use an https:// address (http:// only for localhost or 127.0.0.1)."),
    ({"jwks_endpoint": "not an address"}, "Enter a web address such as https://id.example.com/authorize."),
    ({"client_id": ""}, "Required while single sign-on is on."),
    ({"userinfo_endpoint": ""}, "Required while single sign-on is on."),
    ({"sign_algo": "none"}, "Select a valid choice."),
])
def test_invalid_input_is_shown_next_to_the_field_and_nothing_is_saved(admin_client, provider, changes, field_error):
    response = saved_on_screen(admin_client, provider, **changes)

    page = response.content.decode()
    assert response.status_code == 422
    assert f'<span class="field-error" role="alert">{field_error}' in page
    assert not SingleSignOn.objects.exists() and "Sign in with" not in Client().get(LOGIN).content.decode()


def test_turned_off_the_endpoints_may_stay_empty_but_must_be_addresses(admin_client, provider):
    off = admin_client.post(SCREEN, {"sign_algo": "RS256"})
    bad = admin_client.post(SCREEN, {"sign_algo": "RS256", "token_endpoint": "http://id.example.com/token"})

    assert off.status_code == 302 and SingleSignOn.objects.get().enabled is False
    assert bad.status_code == 422 and "Use an https:// address" in bad.content.decode()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_only_admins_configure_single_sign_on(make_agent, provider, role):
    client = Client()
    client.force_login(make_agent(role))

    page = client.get(SCREEN)
    post = client.post(SCREEN, {"enabled": "on", **provider.registration(), "sign_algo": "RS256"})

    assert page.status_code == 403 and post.status_code == 403
    assert not SingleSignOn.objects.exists()


def test_the_api_configures_single_sign_on_and_never_returns_the_secret(api_as, admin, make_agent, provider, agent):
    api = api_as(admin)

    refused = api.put("/security/sso", {"enabled": True, **provider.registration(), "token_endpoint": "http://id.example.com/t"})
    saved = api.put("/security/sso", {"enabled": True, "provider_name": "Acme ID", **provider.registration()})
    shown = api.get("/security/sso")
    not_admin = api_as(make_agent(Role.SUPERVISOR)).get("/security/sso")
    response = sso_sign_in(Client(), provider, email=agent.email)

    assert refused.status_code == 422 and "https://" in refused.json()["extra"]["token_endpoint"]
    assert saved.status_code == 200 and shown.json() == saved.json()
    assert shown.json()["client_secret_set"] is True and shown.json()["saved_in_workspace"] is True
    assert "pr0vider-s3cret-value" not in saved.content.decode() + shown.content.decode()
    assert not_admin.status_code == 403
    assert response["Location"] == HOME


def test_a_wrong_client_secret_sends_the_agent_back_to_the_login_page_told_it_failed(admin_client, provider, agent):
    saved_on_screen(admin_client, provider, client_secret="a-mistyped-secret")
    visitor = Client()

    response = sso_sign_in(visitor, provider, email=agent.email)

    assert response.status_code == 302 and response["Location"] == "/login/?sso=failed"
    assert "Single sign-on did not sign you in" in visitor.get(response["Location"]).content.decode()
    assert visitor.get(HOME).status_code == 302


def test_a_secret_no_key_can_read_any_more_leaves_the_login_page_working_until_it_is_typed_again(admin_client, admin, provider,
                                                                                                settings, agent):
    saved_on_screen(admin_client, provider)
    settings.SECRET_KEY, settings.PARLEY_ENCRYPTION_KEYS = "another-secret-key-entirely", []  # the old key was dropped
    visitor = Client()

    login_page = visitor.get(LOGIN)
    failed = sso_sign_in(visitor, provider, email=agent.email)
    admin_client.force_login(admin)  # a new SECRET_KEY signed everyone out
    saved_on_screen(admin_client, provider)  # the admin types the secret again
    again = sso_sign_in(Client(), provider, email=agent.email)

    assert login_page.status_code == 200 and "Sign in with Acme ID" in login_page.content.decode()
    assert failed["Location"] == "/login/?sso=failed"
    assert again["Location"] == HOME
