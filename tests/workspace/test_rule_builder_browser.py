"""In the browser, against a real server: a team lead builds a rule from lists, without typing JSON, and sees it fire."""
import httpx
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.automation.models import Rule
from parley.conversations.models import Conversation


def test_a_team_lead_builds_a_rule_without_json_and_sees_it_fire(live, page, make_agent, admin, api_inbox, log_in):
    lead = make_agent(Role.SUPERVISOR, name="Lena Lead")
    log_in(page, live, lead)
    page.goto(f"{live}/settings/automations/new/trigger/")
    builder = page.locator("#rule-builder")
    page.get_by_label("Name").fill("Refund requests")

    # Start from nothing: take away the example's condition and actions.
    while builder.locator("[data-condition] button", has_text="Remove").count():
        builder.locator("[data-condition] button", has_text="Remove").first.click()
    while builder.locator("[data-action] button", has_text="Remove").count():
        builder.locator("[data-action] button", has_text="Remove").first.click()
    builder.get_by_label("conversation.created").check()
    builder.get_by_label("message.received").uncheck()

    builder.get_by_role("button", name="Add a condition").click()
    condition = builder.locator('[data-condition="0"]')
    condition.get_by_label("Field").select_option(label="Subject")
    condition.get_by_label("Operator").select_option(label="contains")
    condition.get_by_label("Value").fill("refund")

    builder.get_by_label("New action").select_option(label="Add tags")
    builder.get_by_role("button", name="Add an action").click()
    builder.locator('[data-action="0"]').get_by_label("Tags").fill("refund, money")
    builder.get_by_label("New action").select_option(label="Set the priority")
    builder.get_by_role("button", name="Add an action").click()
    builder.locator('[data-action="1"]').get_by_label("Priority").select_option(label="urgent")
    builder.get_by_label("New action").select_option(label="Notify agents")
    builder.get_by_role("button", name="Add an action").click()
    notify = builder.locator('[data-action="2"]')
    notify.get_by_label("Who").select_option(label=f"Lena Lead <{lead.email}>")
    notify.get_by_label("Text").fill("A customer asks for money back")
    page.get_by_role("button", name="Create rule").click()

    expect(page.get_by_role("heading", name="Refund requests")).to_be_visible()
    rule = Rule.objects.get(name="Refund requests")
    assert rule.definition == {
        "events": ["conversation.created"], "match": "all",
        "conditions": [{"field": "conversation.subject", "op": "contains", "value": "refund"}],
        "actions": [{"type": "add_tags", "tags": ["refund", "money"]}, {"type": "set_priority", "priority": "urgent"},
                    {"type": "notify", "agents": [lead.email], "text": "A customer asks for money back"}]}
    # Saved and shown again, the builder reads the rule back from its JSON.
    expect(builder.locator('[data-condition="0"]').get_by_label("Value")).to_have_value("refund")
    expect(builder.locator('[data-action="1"]').get_by_label("Priority")).to_have_value('"urgent"')
    badge = page.locator("#mention-badge")
    expect(badge).to_have_text("0")

    _, token = api_token_create(user=admin, name="shop backend")
    response = httpx.post(f"{live}/api/v1/inboxes/{api_inbox.pk}/messages", headers={"Authorization": f"Bearer {token}"},
                          json={"contact": {"source_id": "shop-9", "name": "Nia Noor"}, "subject": "Refund for order 9",
                                "text": "Please send my money back", "idempotency_key": "refund-9"})
    assert response.status_code == 202, response.text

    expect(badge).to_have_text("1")  # live, over the workspace socket: the page was not reloaded
    page.reload()
    number = response.json()["conversation_id"]
    expect(page.get_by_role("region", name="Recent firings")).to_contain_text(f"#{number}")
    conversation = Conversation.objects.get(pk=number)
    assert conversation.priority == "urgent"
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["money", "refund"]
