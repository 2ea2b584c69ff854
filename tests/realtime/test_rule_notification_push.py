"""A rule's "notify" action reaches the agent's open workspace socket at once (the header badge counts it)."""
import pytest

from parley.accounts.services import api_token_create
from parley.automation.services.rules import rule_create
from parley.conversations.models import Notification

pytestmark = pytest.mark.servers


def test_a_rule_that_notifies_an_agent_pushes_the_notification_to_their_socket(live, admin, agent, api_inbox, session_cookie,
                                                                               run_async, event_after_customer_message):
    rule_create(name="Refunds to Sam", kind="trigger", actor=admin, definition={
        "events": ["message.received"], "conditions": [{"field": "message.text", "op": "contains", "value": "refund"}],
        "actions": [{"type": "notify", "agents": [agent.email], "text": "A refund request"}]})
    _, token = api_token_create(user=admin, name="shop backend")

    posted, pushed = run_async(event_after_customer_message(
        live, session_cookie(live, agent.email), token, api_inbox.pk, "agent.notified",
        lambda payload, posted: payload["conversation_id"] == posted["conversation_id"],
        source_id="shop-7", name="Nia Noor", text="I want a refund", key="r-7"))

    stored = Notification.objects.get(recipient=agent, conversation_id=posted["conversation_id"])
    assert pushed["agent_id"] == agent.pk and pushed["kind"] == "rule"
    assert pushed["notification_id"] == stored.pk
    assert "A refund request" in pushed["text"] and stored.read_at is None
