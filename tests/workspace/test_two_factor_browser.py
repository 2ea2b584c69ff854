"""In the browser against a real server: an agent turns on two-factor sign-in from their profile with the key the page
shows, and the next sign-in asks for the code (computed here with pyotp, as their authenticator app would)."""
import time

import pyotp
from playwright.sync_api import expect


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
