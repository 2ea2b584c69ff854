"""Live pages in headless Chromium: lists move one row, timelines append, a mention counts once."""
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import api_token_create

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def _api(live, user):
    _, token = api_token_create(user=user, name="integration")
    return httpx.Client(base_url=f"{live}/api/v1", headers={"Authorization": f"Bearer {token}"})


def _wait_until_live(page):
    # Changes made before the page's socket joined its groups are on the page only after a reload.
    expect(page.locator("body")).to_have_attribute("data-live", "on")


def _customer_writes(api, inbox, source_id, text, key):
    response = api.post(f"/inboxes/{inbox.pk}/messages", json={"contact": {"source_id": source_id, "name": source_id.title()},
                                                              "text": text, "idempotency_key": key})
    assert response.status_code == 202, response.text
    return response.json()


def test_an_open_list_moves_inserts_and_drops_single_rows_without_reloading(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    now = timezone.now()
    oldest = receive(api_inbox, "First question", source_id="ana", received_at=now - timedelta(hours=3)).conversation
    middle = receive(api_inbox, "Second question", source_id="bo", received_at=now - timedelta(hours=2)).conversation
    newest = receive(api_inbox, "Third question", source_id="cy", received_at=now - timedelta(hours=1)).conversation
    log_in(page, live, agent)
    rows = page.locator("#conversation-list li.row")
    expect(rows).to_have_count(3)
    _wait_until_live(page)
    # Marks that survive only if the list is changed row by row, never re-rendered.
    page.evaluate(f"document.getElementById('row-{newest.pk}').__kept = true; window.__sameDocument = true")

    with _api(live, ben) as api:
        _customer_writes(api, api_inbox, "ana", "Any news on my first question?", "ana-2")
        expect(rows.first).to_have_id(f"row-{oldest.pk}")
        expect(rows.first).to_contain_text("Any news on my first question?")
        expect(rows.first).to_have_class("row priority-normal is-unread")

        created = _customer_writes(api, api_inbox, "dee", "A brand new question", "dee-1")
        expect(rows.first).to_have_id(f"row-{created['conversation_id']}")
        expect(page.locator(".list-summary")).to_have_text("4 conversations")
        expect(page.locator('#view-counts .count[data-view="all"]')).to_have_text("4")

        assert api.patch(f"/conversations/{middle.pk}", json={"status": "solved"}).status_code == 200
        expect(page.locator(f"#row-{middle.pk}")).to_have_count(0)
        expect(page.locator(".list-summary")).to_have_text("3 conversations")

    expect(page.locator('#view-counts .count[data-view="all"]')).to_have_text("3")
    assert [row.get_attribute("id") for row in rows.all()] == [f"row-{created['conversation_id']}", f"row-{oldest.pk}", f"row-{newest.pk}"]
    assert page.evaluate(f"document.getElementById('row-{newest.pk}').__kept === true && window.__sameDocument === true")


def test_a_view_of_my_conversations_takes_in_one_assigned_to_me_and_lets_go_of_it(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    conversation = receive(api_inbox, "Please call me back").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/?view=mine")
    expect(page.locator("#conversation-list li.empty")).to_be_visible()
    _wait_until_live(page)

    with _api(live, ben) as api:
        assert api.post(f"/conversations/{conversation.pk}/assign", json={"assignee_id": agent.pk}).status_code == 200
        expect(page.locator(f"#row-{conversation.pk}")).to_contain_text("Sam Agent")
        assert api.post(f"/conversations/{conversation.pk}/assign", json={"assignee_id": ben.pk}).status_code == 200
        expect(page.locator(f"#row-{conversation.pk}")).to_have_count(0)


def test_an_open_conversation_appends_new_items_and_a_mention_shows_once_on_the_badge(live, page, log_in, make_agent, agent, api_inbox, receive):
    ben = make_agent(Role.SUPERVISOR, name="Ben Okafor")
    first = receive(api_inbox, "Where is my parcel?", source_id="nia")
    log_in(page, live, agent)
    page.goto(f"{live}/c/{first.conversation_id}/")
    expect(page.locator("#mention-badge")).to_have_text("0")
    _wait_until_live(page)
    page.evaluate(f"document.getElementById('message-{first.pk}').__kept = true")

    with _api(live, ben) as api:
        # The agent's socket is in their own group, the inbox's and the conversation's: each gets the mention.
        response = api.post(f"/conversations/{first.conversation_id}/messages", json={"kind": "note", "text": "@sam the courier called"})
        assert response.status_code in (200, 201), response.text
        expect(page.locator("#mention-badge")).to_have_text("1")
        _customer_writes(api, api_inbox, "nia", "It just arrived, thanks!", "nia-2")

    timeline = page.locator("#timeline > li")
    expect(timeline.last).to_contain_text("It just arrived, thanks!")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(1)).to_contain_text("@sam the courier called")
    # Every copy of the mention came before the later message did.
    expect(page.locator("#mention-badge")).to_have_text("1")
    assert page.evaluate(f"document.getElementById('message-{first.pk}').__kept === true")

    page.reload()
    expect(page.locator("#mention-badge")).to_have_text("1")
