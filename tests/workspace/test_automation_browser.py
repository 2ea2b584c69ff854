"""Canned responses and macros in headless Chromium against a real server: what an agent does with them."""
import pytest
from playwright.sync_api import expect

from parley.automation.services.library import canned_response_create, macro_create
from parley.conversations.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_agent_inserts_a_canned_response_by_its_shortcut_then_applies_a_macro(live, page, admin, agent, api_inbox, receive,
                                                                                 log_in):
    canned_response_create(shortcut="tracking", title="Tracking link", actor=admin,
                           text="Hi {{contact.first_name}}, your order {{conversation.custom_fields.order}} is on its way.")
    canned_response_create(shortcut="thanks", title="Thanks", text="Thank you!", actor=admin)
    macro_create(name="Waiting on courier", actor=admin, definition={
        "actions": [{"type": "add_tags", "tags": ["courier"]}, {"type": "set_status", "status": "pending"}],
        "reply": "We asked the courier, {{contact.first_name}}."})
    conversation = receive(api_inbox, "Where is my order?", name="Nia Noor").conversation
    Conversation.objects.filter(pk=conversation.pk).update(custom_fields={"order": "A-17"})
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")

    reply_box = page.get_by_label("Reply to the customer")
    reply_box.click()
    reply_box.press_sequentially("Hello. /trac")
    suggestions = page.get_by_role("listbox", name="Canned responses")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions).to_contain_text("/tracking · Tracking link")
    reply_box.press("Enter")
    expect(reply_box).to_have_value("Hello. Hi Nia, your order A-17 is on its way.")
    expect(suggestions).to_be_hidden()
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#timeline .msg-out.kind-reply").last).to_contain_text("Hi Nia, your order A-17 is on its way.")

    page.get_by_role("combobox", name="Macro").select_option(label="Waiting on courier")
    page.get_by_role("button", name="Apply macro").click()

    expect(page.get_by_role("status").filter(has_text="Applied the macro")).to_contain_text("Applied the macro “Waiting on courier”.")
    expect(page.locator("#timeline")).to_contain_text("We asked the courier, Nia.")
    expect(page.locator("#timeline")).to_contain_text("Sam Agent applied the macro “Waiting on courier”.")
    conversation.refresh_from_db()
    assert conversation.status == "pending"
    assert list(conversation.tags.values_list("name", flat=True)) == ["courier"]
