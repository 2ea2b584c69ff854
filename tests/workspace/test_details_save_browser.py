"""The Details panel in headless Chromium: one Save applies every change, and a refused change applies none."""
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.conversations.models import MessageKind, Status
from parley.conversations.services.vocabulary import custom_field_create

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_one_save_assigns_sets_status_priority_type_and_tags_together(live, page, make_agent, admin, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "The invoice is wrong").conversation
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    billing = team_create(name="Billing", member_ids=[ana.pk])
    log_in(page, live, admin)
    page.goto(f"{live}/c/{conversation.pk}/")
    panel = page.get_by_role("region", name="Conversation details")
    details = panel.locator("form.details-form")
    # One button for the panel; escalate, merge and link stay folded away.
    expect(panel.get_by_role("button")).to_have_text(["Save"])

    details.get_by_label("Assignee").select_option(label="Ana Lopez — Offline")
    details.get_by_label("Team").select_option(label="Billing")
    details.get_by_label("Status").select_option("pending")
    details.get_by_label("Priority").select_option("high")
    details.get_by_label("Type").select_option("incident")
    details.get_by_label("Tags").fill("invoice, refund")
    details.get_by_role("button", name="Save").click()

    expect(page.locator("#timeline")).to_contain_text("Ana Lopez")
    expect(details.get_by_label("Tags")).to_have_value("invoice, refund")
    expect(details.get_by_label("Priority")).to_have_value("high")
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team, conversation.status, conversation.priority, conversation.type) == (
        ana, billing, Status.PENDING, "high", "incident")
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["invoice", "refund"]


def test_solving_without_a_required_field_refuses_the_whole_save_and_keeps_what_was_typed(live, page, admin, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "My router keeps rebooting").conversation
    custom_field_create(key="serial", label="Serial number", kind="text", choices=[], required_to_solve=True, actor=admin)
    log_in(page, live, admin)
    page.goto(f"{live}/c/{conversation.pk}/")
    details = page.get_by_role("region", name="Conversation details").locator("form.details-form")
    events_before = conversation.messages.filter(kind=MessageKind.EVENT).count()

    details.get_by_label("Priority").select_option("urgent")
    details.get_by_label("Tags").fill("hardware")
    details.get_by_label("Status").select_option("solved")
    details.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").first).to_contain_text("Serial number")
    expect(details.get_by_label("Tags")).to_have_value("hardware")
    expect(details.get_by_label("Priority")).to_have_value("urgent")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority) == (Status.NEW, "normal")
    assert not conversation.tags.exists()
    assert conversation.messages.filter(kind=MessageKind.EVENT).count() == events_before
