"""My profile through Django's test client: name, email signature and one's own API tokens, for every role."""
import re

import pytest
from django.urls import reverse

from parley.accounts.models import ApiToken, Role, User
from parley.accounts.services import api_token_authenticate, api_token_create, api_token_revoke

PROFILE = reverse("workspace:profile")
TOKENS = reverse("workspace:token-create")


def revoke_url(token):
    return reverse("workspace:token-revoke", args=[token.pk])


def shown_secret(body: str) -> str:
    return re.search(r'id="new-token-secret" class="secret" value="([^"]+)"', body).group(1)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_every_role_opens_their_profile_from_the_avatar(client, make_agent, role):
    user = make_agent(role, name="Robin Role")
    client.force_login(user)

    inbox = client.get(reverse("workspace:home")).content.decode()
    response = client.get(PROFILE)

    body = response.content.decode()
    assert f'class="me" href="{PROFILE}"' in inbox
    assert response.status_code == 200
    assert 'value="Robin Role"' in body and "Email signature" in body and "API tokens" in body and "Create token" in body


def test_saving_name_and_signature_shows_the_new_name_in_the_header(client, agent):
    client.force_login(agent)

    response = client.post(PROFILE, {"name": "Samira Agent", "signature": "Samira\nParley support"}, follow=True)

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == PROFILE
    assert '<span class="me-name">Samira Agent</span>' in body and "Your profile was saved." in body
    assert "Samira\nParley support</textarea>" in body
    assert User.objects.get(pk=agent.pk).signature == "Samira\nParley support"


def test_a_blank_name_is_refused_with_a_message_and_nothing_changes(client, agent):
    client.force_login(agent)

    response = client.post(PROFILE, {"name": "  ", "signature": "New signature"})

    assert response.status_code == 422 and "Your name cannot be empty." in response.content.decode()
    saved = User.objects.get(pk=agent.pk)
    assert (saved.name, saved.signature) == ("Sam Agent", "")


def test_the_token_list_shows_only_my_tokens_with_prefix_use_and_revocation(client, agent, make_agent):
    used, secret = api_token_create(user=agent, name="Shop backend")
    api_token_authenticate(secret)
    revoked, _ = api_token_create(user=agent, name="Old script")
    api_token_revoke(token=revoked, actor=agent)
    api_token_create(user=make_agent(Role.AGENT), name="Somebody else's")
    client.force_login(agent)

    body = client.get(PROFILE).content.decode()

    used_row = body[body.index(f'id="token-{used.pk}"'):].split("</tr>")[0]
    revoked_row = body[body.index(f'id="token-{revoked.pk}"'):].split("</tr>")[0]
    assert f"<code>{used.prefix}…</code>" in used_row and "Revoke Shop backend" in used_row and "never" not in used_row
    assert "Revoked" in revoked_row and "Revoke Old script" not in revoked_row and "never" in revoked_row
    assert "Somebody else" not in body


@pytest.mark.parametrize("role", [Role.AGENT, Role.LIGHT_AGENT])
def test_creating_a_token_shows_its_secret_once_and_the_secret_works(client, make_agent, role):
    user = make_agent(role)
    client.force_login(user)

    response = client.post(TOKENS, {"name": "Reporting script"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 201 and "<html" not in body and "no-store" in response["Cache-Control"]
    secret = shown_secret(body)
    assert api_token_authenticate(secret) == user
    assert "Reporting script" in body and "it is not shown again" in body
    assert secret not in client.get(PROFILE).content.decode()


def test_a_token_without_a_name_is_refused_and_none_is_made(client, agent):
    client.force_login(agent)

    response = client.post(TOKENS, {"name": "  "})

    assert response.status_code == 422
    assert "Name the token after the app or script that will use it." in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_revoking_a_token_stops_its_secret_working(client, agent, htmx):
    token, secret = api_token_create(user=agent, name="Shop backend")
    client.force_login(agent)

    response = client.post(revoke_url(token), headers={"HX-Request": "true"} if htmx else {})

    assert api_token_authenticate(secret) is None
    if htmx:
        assert response.status_code == 200 and "Revoked" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"] == PROFILE


def test_nobody_can_revoke_another_agents_token(client, agent, make_agent):
    token, secret = api_token_create(user=make_agent(Role.ADMIN), name="Admin's script")
    client.force_login(agent)

    response = client.post(revoke_url(token))

    assert response.status_code == 404
    assert api_token_authenticate(secret) is not None
