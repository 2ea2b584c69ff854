"""The agent's desk in headless Chromium against a real server: unread markers across two agents,
keyboard navigation, and a draft that survives a reload."""
import re

import pytest
from playwright.sync_api import expect

from parley.conversations.models import Conversation, Status

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_a_new_customer_message_is_unread_for_the_assignee_and_opening_it_clears_that(
        live, browser, page, make_agent, agent, api_inbox, receive, log_in):
    colleague = make_agent(name="Cleo Colleague")
    conversation = receive(api_inbox, "Where is my parcel?", subject="Parcel").conversation
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    log_in(page, live, agent)
    row = page.locator(f"#row-{conversation.pk}")
    expect(row).to_have_class(re.compile("is-unread"))

    other = browser.new_context().new_page()
    log_in(other, live, colleague)
    other.goto(f"{live}/c/{conversation.pk}/")
    other.goto(f"{live}/")
    expect(other.locator(f"#row-{conversation.pk}")).not_to_have_class(re.compile("is-unread"))
    page.reload()
    expect(row).to_have_class(re.compile("is-unread"))

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Parcel"))).to_be_visible()
    page.goto(f"{live}/")
    expect(row).not_to_have_class(re.compile("is-unread"))
    other.context.close()


def test_an_agent_works_the_list_from_the_keyboard(live, page, agent, api_inbox, receive, log_in):
    first = receive(api_inbox, "First", subject="First", source_id="c1").conversation
    second = receive(api_inbox, "Second", subject="Second", source_id="c2").conversation
    log_in(page, live, agent)

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    page.keyboard.press("j")
    expect(page.locator(f"#row-{second.pk}")).to_have_class(re.compile("is-selected"))
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(f"#row-{second.pk}")).to_have_class(re.compile("is-selected"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/c/{second.pk}/$"))
    page.wait_for_load_state("load")

    page.keyboard.press("a")
    expect(page.locator(".timeline")).to_contain_text(f"assigned this to {agent.name}")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("On its way!")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".timeline")).to_contain_text("On its way!")
    page.locator("#reply-text").blur()
    page.keyboard.press("s")
    expect(page.locator("#conversation .chip.status").first).to_have_text("Solved")

    second.refresh_from_db()
    assert (second.assignee, second.status) == (agent, Status.SOLVED)
    assert first.messages.count() == 1


def test_a_draft_survives_a_reload(live, page, agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "Hi").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")
    page.wait_for_load_state("load")

    page.locator("#reply-text").fill("Let me check that for you")
    with page.expect_response(re.compile(f"/c/{conversation.pk}/draft/$")):
        page.locator("#reply-text").press("End")
        page.keyboard.type(".")
    page.reload()

    expect(page.locator("#reply-text")).to_have_value("Let me check that for you.")


def test_a_bulk_action_on_every_matching_conversation_with_progress_summary_and_undo(
        live, page, agent, api_inbox, receive, log_in):
    for n in range(120):
        receive(api_inbox, f"Message {n}", source_id=f"c{n}")
    log_in(page, live, agent)

    bulk = page.get_by_role("form", name="Bulk action")
    bulk.get_by_label("All 120 matching").check()
    bulk.get_by_label("Bulk action").select_option("priority")
    bulk.locator("select[name='priority']").select_option("urgent")
    bulk.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", name="Set the priority on 120 conversations")).to_be_visible()
    expect(page.locator(".bulk-summary")).to_have_text("Done: 120 of 120 conversations changed.")
    assert Conversation.objects.filter(priority="urgent").count() == 120
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", name="Undo: Set the priority on 120 conversations")).to_be_visible()
    expect(page.locator(".bulk-summary")).to_have_text("Done: 120 of 120 conversations changed.")
    assert Conversation.objects.filter(priority="normal").count() == 120
