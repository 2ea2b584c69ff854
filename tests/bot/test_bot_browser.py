"""A customer talks to the bot through the API channel, asks for a person, and an agent sees the whole transcript."""
import httpx
import pytest
from playwright.sync_api import expect

from parley.accounts.services import api_token_create

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_the_bot_hands_over_and_the_agent_sees_the_transcript_in_the_unassigned_queue(
        page, parley_server, transactional_db, bot_inbox, admin, agent):
    _, secret = api_token_create(user=admin, name="shop app")
    client = httpx.Client(base_url=parley_server + "/api/v1", headers={"Authorization": f"Bearer {secret}"}, timeout=30)

    def say(text: str, key: str, conversation_id: int | None = None) -> int:
        body = {"contact": {"source_id": "shop-user-9", "name": "Ines Ortega"}, "text": text, "idempotency_key": key}
        if conversation_id:
            body["conversation_id"] = conversation_id
        response = client.post(f"/inboxes/{bot_inbox.pk}/messages", json=body)
        assert response.status_code == 202, response.text
        return response.json()["conversation_id"]

    conversation_id = say("How can I see where my package is?", "k1")
    say("I want to talk to a human", "k2", conversation_id)

    page.goto(f"{parley_server}/login/?next=/c/{conversation_id}/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("How can I see where my package is?")
    expect(timeline).to_contain_text("Track your order")
    expect(timeline).to_contain_text("Did that answer your question?")
    expect(timeline).to_contain_text("I want to talk to a human")
    expect(timeline).to_contain_text("The bot handed this conversation to the team (asked for a person)")
    expect(timeline.locator(".msg-out").first).to_contain_text("Help center bot")
