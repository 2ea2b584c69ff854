""""Test connection" for an email inbox against real servers: Dovecot for IMAP, aiosmtpd for SMTP, a closed port."""
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from parley.channels.models import Inbox
from parley.channels.services import inbox_test_connection


def test_a_working_imap_login_and_smtp_session_both_say_so(make_email_inbox, dovecot, smtp_sink):
    inbox = make_email_inbox(smtp_port=smtp_sink.port, imap=dovecot.imap_config())

    imap, smtp = inbox_test_connection(inbox=inbox)

    assert (imap.part, imap.ok, smtp.part, smtp.ok) == ("IMAP", True, "SMTP", True)
    assert f"as {dovecot.user}" in imap.detail and "opened the folder INBOX" in imap.detail
    assert f"127.0.0.1:{smtp_sink.port}" in smtp.detail
    assert not smtp_sink.messages


def test_a_closed_port_and_a_wrong_password_are_told_in_plain_words(make_email_inbox, dovecot, closed_port):
    inbox = make_email_inbox(smtp_port=closed_port, imap=dovecot.imap_config(password="not-the-password"))

    imap, smtp = inbox_test_connection(inbox=inbox)

    assert not imap.ok and f"login as {dovecot.user} failed" in imap.detail
    assert not smtp.ok
    assert smtp.detail == (f"Could not send mail: nothing answers on 127.0.0.1:{closed_port}: the connection was refused "
                           "(check the host, the port and the firewall).")


def test_an_unknown_host_is_named(make_email_inbox):
    inbox = make_email_inbox(imap={"host": "imap.invalid", "port": 993, "username": "u", "password": "p", "timeout": 5})

    imap, _ = inbox_test_connection(inbox=inbox)

    assert not imap.ok and "the host name imap.invalid is unknown" in imap.detail


def test_only_admins_may_test_a_connection(make_email_inbox, make_agent, closed_port):
    inbox = make_email_inbox(smtp_port=closed_port)
    client = Client()
    client.force_login(make_agent("supervisor"))

    assert client.post(f"/settings/inboxes/{inbox.pk}/test/").status_code == 403


@pytest.mark.browser
def test_an_admin_creates_an_inbox_in_the_browser_and_tests_its_connection(
        parley_server, transactional_db, page, admin, dovecot, smtp_sink, closed_port):
    page.goto(f"{parley_server}/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Settings → Inboxes").click()
    page.get_by_role("link", name="New Email inbox").click()
    page.get_by_label("Name", exact=True).fill("Support")
    page.get_by_label("Addresses").fill("support@example.test")
    page.get_by_label("IMAP server").fill("127.0.0.1")
    page.locator("#id_config-imap__port").fill(str(dovecot.port))
    page.locator("#id_config-imap__security").select_option("none")
    page.locator("#id_config-imap__username").fill(dovecot.user)
    page.locator("#id_config-imap__password").fill(dovecot.password)
    page.locator("#id_config-smtp__host").fill("127.0.0.1")
    page.locator("#id_config-smtp__port").fill(str(smtp_sink.port))
    page.locator("#id_config-smtp__security").select_option("none")
    page.get_by_role("button", name="Create inbox").click()
    expect(page.get_by_role("status").first).to_contain_text("was saved")

    page.get_by_role("button", name="Test connection").click()

    checks = page.locator(".connection-checks li")
    expect(checks.nth(0)).to_have_text(re.compile(f"IMAP works: Logged in to 127.0.0.1:{dovecot.port}"))
    expect(checks.nth(1)).to_have_text(re.compile(f"SMTP works: Opened a session with 127.0.0.1:{smtp_sink.port}"))

    page.locator("#id_config-smtp__port").fill(str(closed_port))
    page.get_by_role("button", name="Save inbox").click()
    page.get_by_role("button", name="Test connection").click()

    expect(page.locator(".connection-checks li.check-failed")).to_have_text(
        f"SMTP failed: Could not send mail: nothing answers on 127.0.0.1:{closed_port}: the connection was refused "
        "(check the host, the port and the firewall).")
    assert Inbox.objects.get(name="Support").settings["smtp"]["port"] == closed_port
