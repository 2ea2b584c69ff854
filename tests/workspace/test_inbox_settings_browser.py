"""Settings → Inboxes in headless Chromium against a real server: an admin creates and edits an email inbox."""
import pytest
from playwright.sync_api import expect

from parley.channels.email.config import EmailConfig
from parley.channels.models import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_admin_creates_an_email_inbox_and_edits_it_without_retyping_its_password(live, page, admin, log_in):
    log_in(page, live, admin)

    page.get_by_role("link", name="Settings → Inboxes").click()
    page.get_by_role("link", name="New Email inbox").click()
    page.get_by_label("Name", exact=True).fill("Support")
    page.get_by_label("Addresses").fill("support@shop.test\nhelp@shop.test")
    page.get_by_label("IMAP server").fill("imap.shop.test")
    page.locator("#id_config-imap__username").fill("support")
    page.locator("#id_config-imap__password").fill("imap-pw-1")
    page.locator("#id_config-imap__security").select_option("starttls")
    page.get_by_role("button", name="Create inbox").click()

    expect(page.get_by_role("status")).to_contain_text("The inbox “Support” was saved.")
    expect(page.locator("#id_config-imap__password")).to_have_value("")
    expect(page.locator("#id_config-imap__password_helptext")).to_have_text("set — leave blank to keep")
    expect(page.locator("#id_config-addresses")).to_have_value("support@shop.test\nhelp@shop.test")
    assert "imap-pw-1" not in page.content()

    page.get_by_label("Display name").fill("Shop Support")
    page.get_by_role("button", name="Save inbox").click()

    expect(page.get_by_role("status")).to_contain_text("was saved")
    expect(page.get_by_label("Display name")).to_have_value("Shop Support")
    config = EmailConfig.of(Inbox.objects.get(name="Support"))
    assert (config.display_name, config.imap.security, config.imap.password) == ("Shop Support", "starttls", "imap-pw-1")


def test_an_address_another_inbox_has_is_shown_next_to_the_field(live, page, admin, log_in):
    from parley.channels.services import inbox_create

    inbox_create(name="Billing", kind="email", config={"addresses": ["billing@shop.test"]})
    log_in(page, live, admin)

    page.goto(f"{live}/settings/inboxes/new/email/")
    page.get_by_label("Name", exact=True).fill("Copy")
    page.get_by_label("Addresses").fill("Billing@shop.test")
    page.get_by_role("button", name="Create inbox").click()

    expect(page.get_by_role("alert").first).to_contain_text("Another inbox already receives on this address.")
    expect(page.locator(".field-error")).to_contain_text("billing@shop.test is already an address of the inbox “Billing”")
    assert Inbox.objects.count() == 1
