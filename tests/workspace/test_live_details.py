"""The Details panel follows changes made elsewhere, without ever overwriting what the agent is editing."""
import httpx
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.conversations.services import conversation_assign, conversation_set_tags, conversation_update


def test_the_details_fragment_shows_the_current_assignee_priority_and_tags(client, make_agent, agent, api_inbox, receive):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    conversation = receive(api_inbox, "Hi").conversation
    conversation_assign(conversation=conversation, actor=agent, assignee=ana)
    conversation_update(conversation=conversation, actor=agent, priority="urgent")
    conversation_set_tags(conversation=conversation, actor=agent, tags=["refund"])
    client.force_login(agent)

    response = client.get(reverse("workspace:details", args=[conversation.pk]))

    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<section id="details"')
    assert f'<option value="{ana.pk}" selected>Ana Lopez — Offline</option>' in body
    assert '<option value="urgent" selected>Urgent</option>' in body and 'value="refund"' in body


def _api(live, user):
    _, token = api_token_create(user=user, name="shop backend")
    return httpx.Client(base_url=f"{live}/api/v1", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.browser
@pytest.mark.servers
def test_when_a_colleague_assigns_and_raises_priority_then_the_open_details_panel_shows_it(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    conversation = receive(api_inbox, "Site is down for us").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    details = page.get_by_role("region", name="Conversation details")
    expect(details.get_by_label("Priority")).to_have_value("normal")

    with _api(live, ben) as api:
        assert api.post(f"/conversations/{conversation.pk}/assign", json={"assignee_id": ben.pk}).status_code == 200
        assert api.patch(f"/conversations/{conversation.pk}", json={"priority": "urgent"}).status_code == 200

    expect(details.get_by_label("Assignee")).to_have_value(str(ben.pk))
    expect(details.get_by_label("Priority")).to_have_value("urgent")
    expect(page.locator("#conversation-summary")).to_contain_text("Urgent priority")
    expect(details.locator(".details-stale")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.servers
def test_given_an_agent_typing_tags_when_a_colleague_changes_priority_then_the_typing_is_kept(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    conversation = receive(api_inbox, "Refund for order 9").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    details = page.get_by_role("region", name="Conversation details")
    tags = details.get_by_label("Tags")
    tags.fill("refund, vip")

    with _api(live, ben) as api:
        assert api.patch(f"/conversations/{conversation.pk}", json={"priority": "high"}).status_code == 200

    expect(page.locator("#conversation-summary")).to_contain_text("High priority")
    expect(details.locator(".details-stale")).to_be_visible()
    expect(tags).to_have_value("refund, vip")
    expect(tags).to_be_focused()
    expect(details.get_by_label("Priority")).to_have_value("normal")

    tags.press("Enter")

    expect(page.locator("#conversation-summary .tag")).to_have_text(["refund", "vip"])
    expect(details.get_by_label("Priority")).to_have_value("high")
    expect(details.locator(".details-stale")).to_be_hidden()


@pytest.mark.browser
@pytest.mark.servers
def test_a_panel_left_stale_while_focused_catches_up_once_the_agent_leaves_it_unchanged(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    conversation = receive(api_inbox, "Question about plans").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    details = page.get_by_role("region", name="Conversation details")
    details.get_by_label("Priority").focus()

    with _api(live, ben) as api:
        assert api.patch(f"/conversations/{conversation.pk}", json={"priority": "low"}).status_code == 200

    expect(details.locator(".details-stale")).to_be_visible()
    expect(details.get_by_label("Priority")).to_have_value("normal")

    page.get_by_label("Reply to the customer").focus()

    expect(details.get_by_label("Priority")).to_have_value("low")
    expect(details.locator(".details-stale")).to_be_hidden()
