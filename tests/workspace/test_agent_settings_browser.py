"""In the browser, against a real server whose mail goes to a real SMTP server: an admin invites an agent,
the invitee sets a password from the mailed link and signs in; an agent who forgot their password resets it."""
import re
import time
from email import message_from_bytes

import pytest
from playwright.sync_api import expect

from parley.accounts.models import User


@pytest.fixture
def mailing_server(parley_server_factory, smtp_sink, transactional_db):
    """A Parley server that sends its mail to the SMTP sink; yields (base URL, sink handler)."""
    host, port, sink = smtp_sink
    with parley_server_factory({"PARLEY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                "PARLEY_SMTP_HOST": host, "PARLEY_SMTP_PORT": str(port)}) as base:
        yield base, sink


def _mailed_link(sink, to: str) -> str:
    """Wait for the mail to `to` (it is sent by a job after the request commits) and return its link."""
    for _ in range(150):
        for envelope in sink.messages:
            if to in envelope.rcpt_tos:
                body = message_from_bytes(envelope.original_content).get_payload(decode=True).decode()
                return re.search(r"https?://\S+", body).group(0)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} arrived")


def _choose_password(page, link: str, password: str) -> None:
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(password)


def test_an_admin_invites_an_agent_who_sets_a_password_and_signs_in(mailing_server, browser, page, admin, log_in):
    base, sink = mailing_server
    log_in(page, base, admin)
    page.get_by_role("link", name="Settings → Agents").click()
    invite = page.get_by_role("region", name="Invite an agent")
    invite.get_by_label("Name").fill("Nia Novak")
    invite.get_by_label("Email").fill("nia@example.test")
    invite.get_by_label("Role").select_option("supervisor")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Nia Novak was invited")
    expect(page.get_by_role("row", name=re.compile("Nia Novak"))).to_contain_text("invited")

    link = _mailed_link(sink, "nia@example.test")
    invitee = browser.new_context().new_page()
    _choose_password(invitee, link, "a-long-new-secret-7")
    invitee.get_by_role("button", name="Set my password").click()
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set")
    invitee.get_by_label("Email").fill("nia@example.test")
    invitee.get_by_label("Password").fill("a-long-new-secret-7")
    invitee.get_by_role("button", name="Log in").click()

    expect(invitee.locator(".me-name")).to_have_text("Nia Novak")
    expect(invitee.get_by_role("link", name="Settings → Teams")).to_be_visible()
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Nia Novak"))).to_contain_text("active")
    invitee.context.close()


def test_an_agent_resets_a_forgotten_password_from_the_login_page(mailing_server, page, agent):
    base, sink = mailing_server
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(agent.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an agent signs in with {agent.email}")

    _choose_password(page, _mailed_link(sink, agent.email), "a-brand-new-secret-9")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill("a-brand-new-secret-9")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".me-name")).to_have_text(agent.name)
    assert User.objects.get(pk=agent.pk).check_password("a-brand-new-secret-9")
