"""Two-factor sign-in through the real pages: enrolment, the code step, recovery codes and the admin's requirement.

Codes are computed in the test with pyotp from the secret the page shows, as an authenticator app would. A code is
accepted once (replay protection), so a sign-in right after enrolment uses the next 30-second step's code, which the
one step of clock drift allows.
"""
import re
import time

import pyotp
import pytest
from django.urls import reverse

from parley.accounts.models import Role, TwoFactor
from parley.accounts.security import security_policy, security_policy_update, two_factor_begin, two_factor_confirm
from parley.core.errors import ValidationFailed
from parley.core.models import AuditEntry

LOGIN, CODE, HOME = reverse("workspace:login"), reverse("workspace:login-code"), reverse("workspace:home")
TWO_FACTOR = reverse("workspace:two-factor")


def enrolled(user) -> tuple[pyotp.TOTP, list[str]]:
    secret = two_factor_begin(user=user)
    totp = pyotp.TOTP(secret)
    return totp, two_factor_confirm(user=user, code=totp.now())


def next_step_code(totp: pyotp.TOTP) -> str:
    return totp.at(time.time() + 30)


def password_step(client, user):
    return client.post(LOGIN, {"username": user.email, "password": "pw-secret-1"})


def test_an_agent_enrols_by_scanning_the_page_and_typing_the_code(client, agent):
    client.force_login(agent)

    client.post(TWO_FACTOR, {"step": "begin"})
    page = client.get(TWO_FACTOR).content.decode()
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", page).group(1)
    wrong = client.post(TWO_FACTOR, {"step": "confirm", "code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    confirmed = client.post(TWO_FACTOR, {"step": "confirm", "code": pyotp.TOTP(secret).now()})

    assert "<svg" in page and "Scan this code" in page
    assert wrong.status_code == 422 and "That code is not right" in wrong.content.decode()
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", confirmed.content.decode())
    assert len(set(codes)) == 10
    assert TwoFactor.objects.get(user=agent).confirmed_at is not None
    assert secret not in TwoFactor.objects.get(user=agent).secret  # encrypted at rest
    assert AuditEntry.objects.filter(action="agent.two_factor_enabled", target_id=str(agent.pk)).exists()


def test_the_password_alone_does_not_sign_in_an_agent_with_two_factor(client, agent):
    totp, _ = enrolled(agent)

    after_password = password_step(client, agent)
    workspace_before_code = client.get(HOME)
    wrong_code = client.post(CODE, {"code": "12345"})
    signed_in = client.post(CODE, {"code": next_step_code(totp)})

    assert after_password.status_code == 302 and after_password["Location"] == CODE
    assert workspace_before_code.status_code == 302 and workspace_before_code["Location"].startswith(LOGIN)
    assert wrong_code.status_code == 422
    assert signed_in.status_code == 302 and signed_in["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_code_that_signed_in_once_is_refused_the_second_time(client, agent):
    totp, _ = enrolled(agent)
    code = next_step_code(totp)
    password_step(client, agent)
    client.post(CODE, {"code": code})
    client.logout()

    password_step(client, agent)
    replay = client.post(CODE, {"code": code})

    assert replay.status_code == 422
    assert client.get(HOME).status_code == 302


def test_a_recovery_code_signs_in_once(client, agent):
    _, codes = enrolled(agent)

    password_step(client, agent)
    first = client.post(CODE, {"code": codes[3].upper()})
    client.logout()
    password_step(client, agent)
    again = client.post(CODE, {"code": codes[3]})

    assert first.status_code == 302 and first["Location"] == HOME
    assert again.status_code == 422
    assert AuditEntry.objects.get(action="agent.recovery_code_used").changes == {"left": 9}


def test_the_code_step_is_rate_limited_like_the_password(client, agent, settings):
    settings.PARLEY_RATE_SIGNIN_ACCOUNT = "3/15m"
    totp, _ = enrolled(agent)
    password_step(client, agent)

    for _ in range(3):
        client.post(CODE, {"code": "999999"})
    refused = client.post(CODE, {"code": next_step_code(totp)})

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(HOME).status_code == 302


def test_turning_it_off_needs_a_current_code(client, agent):
    totp, _ = enrolled(agent)
    client.force_login(agent)

    refused = client.post(TWO_FACTOR, {"step": "disable", "code": "000001"})
    still_on = TwoFactor.objects.filter(user=agent).exists()
    turned_off = client.post(TWO_FACTOR, {"step": "disable", "code": next_step_code(totp)})

    assert refused.status_code == 422 and still_on
    assert turned_off.status_code == 302
    assert not TwoFactor.objects.filter(user=agent).exists()
    assert password_step(client, agent)["Location"] == HOME


def test_when_an_admin_requires_it_of_agents_an_agent_without_it_must_enrol_first(client, admin, agent):
    client.force_login(admin)
    saved = client.post(reverse("workspace:security-settings"), {"two_factor_roles": ["agent"], "session_hours": ""})
    client.force_login(agent)

    inbox = client.get(HOME)
    api = client.get("/api/v1/conversations")
    enrol_page = client.get(TWO_FACTOR)
    totp, _ = enrolled(agent)
    after = client.get(HOME)
    cannot_turn_off = client.post(TWO_FACTOR, {"step": "disable", "code": next_step_code(totp)})

    assert saved.status_code == 302
    assert inbox.status_code == 302 and inbox["Location"] == TWO_FACTOR
    assert api.status_code == 403 and api.json()["extra"] == {"two_factor": "required"}
    assert "Your workspace requires two-factor sign-in" in enrol_page.content.decode()
    assert after.status_code == 200
    assert cannot_turn_off.status_code == 422 and TwoFactor.objects.filter(user=agent).exists()


def test_it_is_required_of_the_chosen_roles_only(client, admin, make_agent):
    supervisor, agent = make_agent(Role.SUPERVISOR), make_agent(Role.AGENT)
    client.force_login(admin)
    page = client.get(reverse("workspace:security-settings")).content.decode()
    client.post(reverse("workspace:security-settings"), {"two_factor_roles": ["admin", "supervisor"], "session_hours": ""})

    admin_home = client.get(HOME)
    client.force_login(supervisor)
    supervisor_home = client.get(HOME)
    client.force_login(agent)
    agent_home = client.get(HOME)

    assert 'name="two_factor_roles" value="light_agent"' in page
    assert admin_home.status_code == 302 and admin_home["Location"] == TWO_FACTOR
    assert supervisor_home.status_code == 302 and supervisor_home["Location"] == TWO_FACTOR
    assert agent_home.status_code == 200
    assert security_policy().two_factor_roles == {"admin", "supervisor"}


def test_an_admin_resets_a_lost_authenticator(client, admin, agent):
    enrolled(agent)
    client.force_login(admin)

    page = client.get(reverse("workspace:agent-settings", args=[agent.pk])).content.decode()
    client.post(reverse("workspace:agent-action", args=[agent.pk, "reset-two-factor"]))

    assert "Reset two-factor sign-in" in page
    assert not TwoFactor.objects.filter(user=agent).exists()
    assert AuditEntry.objects.filter(action="agent.two_factor_disabled", actor=admin, target_id=str(agent.pk)).exists()
    assert password_step(client, agent)["Location"] == HOME


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_only_admins_change_the_security_settings(client, make_agent, role):
    client.force_login(make_agent(role))

    page = client.get(reverse("workspace:security-settings"))
    post = client.post(reverse("workspace:security-settings"), {"two_factor_roles": [role]})

    assert page.status_code == 403 and post.status_code == 403


def test_policy_changes_are_validated_and_audited(admin):
    with pytest.raises(Exception, match="between 1 and"):
        security_policy_update(actor=admin, two_factor_roles=[], session_hours=0)
    with pytest.raises(ValidationFailed, match="can be required of these roles") as unknown:
        security_policy_update(actor=admin, two_factor_roles=["agent", "owner"], session_hours=None)

    security_policy_update(actor=admin, two_factor_roles=["agent", "admin", "agent"], session_hours=8)

    entry = AuditEntry.objects.get(action="security.updated")
    assert unknown.value.extra == {"two_factor_roles": "unknown role 'owner'"}
    assert entry.actor == admin and entry.changes == {"two_factor_roles": [[], ["admin", "agent"]], "session_hours": [None, 8]}


def test_the_admin_site_signs_in_through_the_workspace_so_the_code_is_asked_there_too(client, admin):
    enrolled(admin)

    admin_login = client.get("/admin/login/", {"next": "/admin/"})
    posted = client.post("/admin/login/", {"username": admin.email, "password": "pw-secret-1", "next": "/admin/"})

    assert admin_login.status_code == 302 and admin_login["Location"] == f"{LOGIN}?next=%2Fadmin%2F"
    assert posted.status_code == 302 and posted["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302
