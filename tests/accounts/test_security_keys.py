"""Security keys and passkeys as a second factor, through the real pages, answered by a software key.

The key (tests/accounts/soft_authenticator.py) answers the options each page embeds, as security_key.js hands them to
the browser, and the answer is posted as the script posts it. The browser test with Chromium's virtual authenticator
is tests/workspace/test_two_factor_browser.py.
"""
import json
import re

import pyotp
import pytest
from django.urls import reverse

from parley.accounts.models import RecoveryCode, Role, SecurityKey
from parley.accounts.security import security_policy_update, two_factor_begin, two_factor_confirm, two_factor_enabled
from parley.core.models import AuditEntry
from soft_authenticator import SoftKey

LOGIN, CODE, KEY, HOME = (reverse("workspace:login"), reverse("workspace:login-code"), reverse("workspace:login-key"),
                          reverse("workspace:home"))
TWO_FACTOR = reverse("workspace:two-factor")
BASE_URL = "http://localhost:8000"


@pytest.fixture(autouse=True)
def base_url(settings):
    # Browsers refuse WebAuthn on an IP address: the relying party is a host name, as in production.
    settings.PARLEY_BASE_URL = BASE_URL


def options_on(page) -> dict:
    found = re.search(r'<script id="security-key-options" type="application/json">(.*?)</script>', page.content.decode())
    assert found, "the page offers no security key"
    return json.loads(found.group(1))


def add_key(client, key: SoftKey, *, name: str = "Blue key", origin: str = BASE_URL):
    options = options_on(client.get(TWO_FACTOR))
    return client.post(TWO_FACTOR, {"step": "key-add", "name": name, "credential": key.register(options, origin=origin)})


def enrolled_with_key(client, user, name: str = "Blue key") -> SoftKey:
    key = SoftKey()
    client.force_login(user)
    add_key(client, key, name=name)
    assert SecurityKey.objects.filter(user=user, name=name).exists()
    client.logout()
    return key


def password_step(client, user):
    return client.post(LOGIN, {"username": user.email, "password": "pw-secret-1"})


def sign_in_options(client, user) -> dict:
    assert password_step(client, user)["Location"] == CODE
    return options_on(client.get(CODE))


def test_an_agent_adds_a_key_and_gets_recovery_codes_once(client, agent):
    client.force_login(agent)

    first = add_key(client, SoftKey(), name="Blue key")
    second = add_key(client, SoftKey(), name="Laptop")
    page = client.get(TWO_FACTOR).content.decode()

    assert len(re.findall(r"<li><code>[0-9a-f]{6}-[0-9a-f]{6}</code></li>", first.content.decode())) == 10
    assert second.status_code == 302 and RecoveryCode.objects.filter(user=agent).count() == 10
    assert "<td>Blue key</td>" in page and "<td>Laptop</td>" in page and "never" in page
    stored = SecurityKey.objects.get(user=agent, name="Blue key")
    assert stored.transports == ["usb"] and len(bytes(stored.public_key)) > 64
    assert two_factor_enabled(agent)
    assert [e.changes for e in AuditEntry.objects.filter(action="agent.security_key_added").order_by("pk")] == [
        {"key": "Blue key"}, {"key": "Laptop"}]


def test_a_key_needs_a_name_and_an_answer_for_this_site(client, agent):
    client.force_login(agent)

    unnamed = add_key(client, SoftKey(), name="  ")
    elsewhere = add_key(client, SoftKey(), origin="https://parley.example.net")

    assert unnamed.status_code == 422 and "Give the key a name" in unnamed.content.decode()
    assert elsewhere.status_code == 422
    assert ("answered for https://parley.example.net, not for http://localhost:8000" in elsewhere.content.decode())
    assert not SecurityKey.objects.exists()


def test_the_key_signs_in_after_the_password_instead_of_a_code(client, agent):
    key = enrolled_with_key(client, agent)

    options = sign_in_options(client, agent)
    workspace_before_key = client.get(HOME)
    signed_in = client.post(KEY, {"credential": key.sign(options, origin=BASE_URL)})

    assert options["rpId"] == "localhost"
    assert [c["id"] for c in options["allowCredentials"]] == [SecurityKey.objects.get().credential_id]
    assert workspace_before_key.status_code == 302
    assert signed_in.status_code == 302 and signed_in["Location"] == HOME
    assert client.get(HOME).status_code == 200
    stored = SecurityKey.objects.get()
    assert stored.sign_count == 1 and stored.last_used_at is not None
    assert AuditEntry.objects.get(action="agent.security_key_used").changes == {"key": "Blue key"}


def test_an_answer_from_another_site_is_refused(client, agent):
    key = enrolled_with_key(client, agent)

    options = sign_in_options(client, agent)
    refused = client.post(KEY, {"credential": key.sign(options, origin="https://phish.example")})

    assert refused.status_code == 422
    assert "answered for https://phish.example, not for http://localhost:8000" in refused.content.decode()
    assert client.get(HOME).status_code == 302


def test_an_answer_is_taken_once(client, agent):
    key = enrolled_with_key(client, agent)
    answer = key.sign(sign_in_options(client, agent), origin=BASE_URL)
    client.post(KEY, {"credential": answer})
    client.logout()

    sign_in_options(client, agent)
    replayed = client.post(KEY, {"credential": answer})

    assert replayed.status_code == 422
    assert "That security key request has expired or was already used" in replayed.content.decode()
    assert client.get(HOME).status_code == 302


def test_a_wrong_answer_uses_up_the_challenge(client, agent):
    key = enrolled_with_key(client, agent)
    options = sign_in_options(client, agent)

    client.post(KEY, {"credential": "{not json"})
    late = client.post(KEY, {"credential": key.sign(options, origin=BASE_URL)})

    assert late.status_code == 422 and "expired or was already used" in late.content.decode()
    assert client.get(HOME).status_code == 302


def test_a_key_of_another_agent_does_not_sign_in_as_this_one(client, make_agent):
    owner, other = make_agent(Role.AGENT), make_agent(Role.AGENT)
    enrolled_with_key(client, owner)
    others_key = enrolled_with_key(client, other, name="Other's key")

    options = sign_in_options(client, owner)
    refused = client.post(KEY, {"credential": others_key.sign(options, origin=BASE_URL)})

    assert refused.status_code == 422 and "That security key is not one of yours" in refused.content.decode()
    assert client.get(HOME).status_code == 302
    assert SecurityKey.objects.get(user=other).last_used_at is None


def test_a_signature_counter_that_goes_backwards_is_refused(client, agent):
    key = enrolled_with_key(client, agent)
    client.post(KEY, {"credential": key.sign(sign_in_options(client, agent), origin=BASE_URL, sign_count=5)})
    client.logout()

    copied = client.post(KEY, {"credential": key.sign(sign_in_options(client, agent), origin=BASE_URL, sign_count=3)})

    assert copied.status_code == 422 and "signature counter went backwards" in copied.content.decode()
    assert SecurityKey.objects.get().sign_count == 5


def test_a_passkey_without_a_counter_signs_in_every_time(client, agent):
    key = SoftKey(counts_signatures=False)
    client.force_login(agent)
    add_key(client, key)
    client.logout()

    for _ in range(2):
        signed_in = client.post(KEY, {"credential": key.sign(sign_in_options(client, agent), origin=BASE_URL)})
        assert signed_in.status_code == 302 and signed_in["Location"] == HOME
        client.logout()


def test_removing_the_last_key_turns_two_factor_off(client, agent):
    enrolled_with_key(client, agent)
    client.force_login(agent)

    removed = client.post(TWO_FACTOR, {"step": "key-remove", "key": SecurityKey.objects.get().pk})
    client.logout()

    assert removed.status_code == 302
    assert not SecurityKey.objects.exists() and not RecoveryCode.objects.filter(user=agent).exists()
    assert password_step(client, agent)["Location"] == HOME
    assert AuditEntry.objects.get(action="agent.security_key_removed").changes == {"key": "Blue key"}
    assert AuditEntry.objects.filter(action="agent.two_factor_disabled", target_id=str(agent.pk)).exists()


def test_removing_the_last_key_leaves_the_authenticator_app_on(client, agent):
    totp = pyotp.TOTP(two_factor_begin(user=agent))
    two_factor_confirm(user=agent, code=totp.now())
    enrolled_with_key(client, agent)
    client.force_login(agent)

    client.post(TWO_FACTOR, {"step": "key-remove", "key": SecurityKey.objects.get().pk})
    client.logout()

    assert two_factor_enabled(agent) and RecoveryCode.objects.filter(user=agent).count() == 10
    assert password_step(client, agent)["Location"] == CODE
    assert not AuditEntry.objects.filter(action="agent.two_factor_disabled").exists()


def test_an_agent_cannot_remove_another_agents_key(client, make_agent):
    owner, other = make_agent(Role.AGENT), make_agent(Role.AGENT)
    enrolled_with_key(client, owner)
    client.force_login(other)

    refused = client.post(TWO_FACTOR, {"step": "key-remove", "key": SecurityKey.objects.get().pk})
    nonsense = client.post(TWO_FACTOR, {"step": "key-remove", "key": "first"})

    assert refused.status_code == 404 and nonsense.status_code == 404
    assert SecurityKey.objects.filter(user=owner).exists()


def test_a_key_satisfies_the_roles_requirement_and_then_cannot_be_removed_alone(client, admin, agent):
    security_policy_update(actor=admin, two_factor_roles=["agent"], session_hours=None)
    client.force_login(agent)

    before = client.get(HOME)
    add_key(client, SoftKey())
    after = client.get(HOME)
    last_key = client.post(TWO_FACTOR, {"step": "key-remove", "key": SecurityKey.objects.get().pk})

    assert before.status_code == 302 and before["Location"] == TWO_FACTOR
    assert after.status_code == 200
    assert last_key.status_code == 422 and "Your workspace requires two-factor sign-in" in last_key.content.decode()
    assert SecurityKey.objects.filter(user=agent).exists()


def test_an_admin_reset_removes_the_agents_keys(client, admin, agent):
    enrolled_with_key(client, agent)
    client.force_login(admin)

    client.post(reverse("workspace:agent-action", args=[agent.pk, "reset-two-factor"]))
    client.logout()

    assert not SecurityKey.objects.filter(user=agent).exists()
    assert password_step(client, agent)["Location"] == HOME


def test_a_recovery_code_signs_in_an_agent_who_has_only_keys(client, agent):
    client.force_login(agent)
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", add_key(client, SoftKey()).content.decode())
    client.logout()

    password_step(client, agent)
    page = client.get(CODE).content.decode()
    signed_in = client.post(CODE, {"code": codes[0]})

    assert "Use your security key" in page and "Type one of your recovery codes" in page
    assert signed_in.status_code == 302 and signed_in["Location"] == HOME
