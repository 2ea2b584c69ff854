"""Session lifetime from Settings → Security, and signing an agent out everywhere, through real sessions."""
import time

from django.test import Client
from django.urls import reverse

from parley.accounts.security import security_policy_update
from parley.core.models import AuditEntry
from parley.workspace.security_middleware import SIGNED_IN_AT

HOME, LOGIN = reverse("workspace:home"), reverse("workspace:login")


def signed_in(agent) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": agent.email, "password": "pw-secret-1"})
    assert response.status_code == 302 and response["Location"] == HOME
    return client


def signed_in_hours_ago(client: Client, hours: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - hours * 3600
    session.save()


def test_a_session_older_than_the_lifetime_the_admin_set_is_signed_out(admin, agent):
    client = signed_in(agent)
    signed_in_hours_ago(client, 3)
    still_in = client.get(HOME).status_code

    security_policy_update(actor=admin, two_factor_roles=[], session_hours=2)
    expired = client.get(HOME)

    assert still_in == 200  # the server's default lifetime is two weeks
    assert expired.status_code == 302 and expired["Location"].startswith(LOGIN)
    assert client.get(HOME).status_code == 302  # signed out, not only redirected once


def test_a_new_sign_in_gets_the_lifetime_as_its_cookie_age(admin, agent):
    security_policy_update(actor=admin, two_factor_roles=[], session_hours=8)

    client = signed_in(agent)

    assert client.session.get_expiry_age() == 8 * 3600
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600


def test_the_security_screen_saves_the_lifetime_and_refuses_nonsense(client, admin):
    client.force_login(admin)
    url = reverse("workspace:security-settings")

    bad = client.post(url, {"session_hours": "0"})
    good = client.post(url, {"session_hours": "12"}, follow=True)

    assert bad.status_code == 422 and "greater than or equal to 1" in bad.content.decode()
    assert good.status_code == 200 and 'value="12"' in good.content.decode()
    assert "The security settings were saved." in good.content.decode()


def test_sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one(agent):
    laptop, phone = signed_in(agent), signed_in(agent)

    response = laptop.post(reverse("workspace:sessions-end"))

    assert response.status_code == 302
    assert laptop.get(HOME).status_code == 200
    assert phone.get(HOME).status_code == 302
    assert signed_in(agent).get(HOME).status_code == 200  # signing in again works
    assert AuditEntry.objects.filter(action="agent.signed_out_everywhere", actor=agent).exists()


def test_an_admin_signs_an_agent_out_everywhere(admin, agent):
    desk = signed_in(agent)
    admin_client = Client()
    admin_client.force_login(admin)

    admin_client.post(reverse("workspace:agent-action", args=[agent.pk, "sign-out"]))

    assert desk.get(HOME).status_code == 302
    assert admin_client.get(HOME).status_code == 200
