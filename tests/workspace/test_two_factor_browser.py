"""In the browser against a real server: an agent turns on two-factor sign-in from their profile with the key the page
shows, and the next sign-in asks for the code (computed here with pyotp, as their authenticator app would); an agent
adds a security key (Chromium's virtual authenticator) and signs in with it."""
import time

import pyotp
import pytest
from playwright.sync_api import expect

from parley.accounts.models import SecurityKey


def test_an_agent_turns_on_two_factor_and_signs_in_with_a_code(live, page, agent, log_in):
    log_in(page, live, agent)
    page.goto(f"{live}/me/")
    page.get_by_role("link", name="Set it up").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator(".qr svg")).to_be_visible()
    totp = pyotp.TOTP(page.locator("[data-secret]").inner_text())
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("region", name="Recovery codes").locator("li")).to_have_count(10)

    page.context.clear_cookies()
    page.goto(f"{live}/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Type the 6-digit code")).to_be_visible()
    # The enrolment's code was used once; the authenticator's next code is accepted (one step of drift).
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".me-name")).to_have_text(agent.name)


@pytest.fixture(scope="module")
def localhost_server(parley_server_factory):
    """A server addressed as localhost: browsers refuse WebAuthn on an IP address."""
    with parley_server_factory({}, host="localhost") as base:
        yield base


def test_an_agent_adds_a_security_key_and_signs_in_with_it(localhost_server, transactional_db, page, agent, log_in):
    live = localhost_server
    # Chromium's virtual authenticator stands in for a USB key the agent touches (and unlocks with a PIN).
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})["authenticatorId"]
    log_in(page, live, agent)
    page.goto(f"{live}/me/two-factor/")
    page.get_by_label("Key name").fill("Desk key")
    page.get_by_role("button", name="Add a security key").click()
    expect(page.get_by_role("region", name="Recovery codes").locator("li")).to_have_count(10)
    expect(page.get_by_role("region", name="Security keys and passkeys").get_by_role("cell", name="Desk key")).to_be_visible()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1

    page.context.clear_cookies()
    page.goto(f"{live}/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Use your security key").click()
    expect(page.locator(".me-name")).to_have_text(agent.name)

    key = SecurityKey.objects.get(user=agent)
    assert key.name == "Desk key" and key.last_used_at is not None and key.sign_count >= 1
