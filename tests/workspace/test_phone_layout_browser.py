"""The workspace on a phone (390×844) in headless Chromium: every section is reachable, the composer sits by the latest message."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.servers]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_the_menu_unfolds_every_section_of_the_navigation_within_the_screen(live, phone, admin, log_in):
    log_in(phone, live, admin)
    nav = phone.get_by_role("navigation", name="Views")
    sections = nav.locator(".sections a")
    expect(nav.get_by_role("link", name="Mine")).to_be_visible()
    expect(sections.first).to_be_hidden()

    phone.get_by_role("button", name="Menu").tap()

    expect(phone.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
    assert sections.count() >= 15  # an admin's every section: calls, customers, reports, every settings screen …
    for link in sections.all():
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav.get_by_role("link", name="Settings → Company").tap()
    expect(phone.get_by_role("heading", name="Company")).to_be_visible()


def test_an_opened_conversation_shows_its_latest_message_right_above_the_composer(live, phone, agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "My first question").conversation
    for n in range(1, 9):
        receive(api_inbox, f"Follow-up number {n}: " + "still waiting for an answer. " * 8)
    log_in(phone, live, agent)

    phone.goto(f"{live}/c/{conversation.pk}/")

    latest = phone.locator("#timeline > li").last
    expect(latest).to_contain_text("Follow-up number 8")
    expect(latest).to_be_in_viewport()
    expect(phone.get_by_label("Reply to the customer")).to_be_in_viewport()
    expect(phone.locator("#timeline > li", has_text="My first question")).not_to_be_in_viewport()
