"""Two agents in headless Chromium: availability that follows activity, and who is typing a reply."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parley.accounts.models import Availability, Role, User
from parley.accounts.services import agents_mark_idle_away, availability_rules

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_admin_sets_the_availability_rules_on_their_screen_and_a_wrong_number_is_explained(live, page, admin, log_in):
    log_in(page, live, admin)
    page.get_by_role("link", name="Settings → Agents").click()
    page.get_by_role("link", name="Availability rules").click()

    page.get_by_label("Away after this many idle minutes").fill("5000")
    page.get_by_role("button", name="Save availability rules").click()
    expect(page.get_by_role("alert").first).to_contain_text("less than or equal to 1440")
    assert availability_rules().away_after_minutes == 10

    page.get_by_label("Away after this many idle minutes").fill("15")
    page.get_by_label("Offline when the last tab closes").uncheck()
    page.get_by_role("button", name="Save availability rules").click()

    expect(page.get_by_role("status")).to_contain_text("The availability rules were saved.")
    expect(page.get_by_label("Away after this many idle minutes")).to_have_value("15")
    rules = availability_rules()
    assert (rules.away_after_minutes, rules.offline_when_tabs_closed) == (15, False)


def test_a_colleague_sees_an_agent_come_online_turn_away_when_idle_return_and_leave(live, page, second_page, make_agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "Is my order on its way?").conversation
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    log_in(page, live, ben)
    page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    ana_option = page.locator(f"#details select[name='assignee'] option[value='{ana.pk}']")
    expect(ana_option).to_have_text("Ana Lopez — Offline")

    ana_page = second_page
    log_in(ana_page, live, ana)
    expect(ana_page.locator("body")).to_have_attribute("data-live", "on")
    expect(ana_option).to_have_text("Ana Lopez — Online")

    User.objects.filter(pk=ana.pk).update(last_active_at=timezone.now() - timedelta(minutes=11))
    # The schedule's work, run as a worker would: off this thread, where Playwright's event loop runs.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(agents_mark_idle_away).result()
    expect(ana_option).to_have_text("Ana Lopez — Away")
    expect(ana_page.locator("#availability-choice")).to_have_value("away")

    ana_page.mouse.click(600, 400)
    expect(ana_option).to_have_text("Ana Lopez — Online")
    expect(ana_page.locator("#availability-choice")).to_have_value("online")

    ana_page.close()
    expect(ana_option).to_have_text("Ana Lopez — Offline", timeout=30_000)
    ana.refresh_from_db()
    assert ana.availability == Availability.OFFLINE


def test_a_colleague_writing_a_reply_shows_as_typing_next_to_viewing_until_it_is_sent(live, page, second_page, make_agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "Can I change my delivery address?").conversation
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    log_in(page, live, ben)
    page.goto(f"{live}/c/{conversation.pk}/")

    ana_page = second_page
    log_in(ana_page, live, ana)
    ana_page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("#presence")).to_contain_text("Ana Lopez is viewing")

    ana_page.locator("#reply-text").press_sequentially("Yes, send me the new")
    expect(page.locator("#agent-typing")).to_have_text("Ana Lopez is typing a reply…")
    expect(page.locator("#presence + #agent-typing")).to_be_visible()
    # Nobody is told about their own typing.
    expect(ana_page.locator("#agent-typing")).to_have_count(0)

    ana_page.locator("#reply-text").fill("Yes: send me the new address and I will change it.")
    ana_page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#timeline")).to_contain_text("send me the new address")
    expect(page.locator("#agent-typing")).to_be_hidden()
