"""A notification is written in the language of the agent it is for, whoever caused it."""
import pytest

from parley.accounts.services import agent_update_profile
from parley.conversations.models import Notification
from parley.conversations.services import conversation_assign

# Notifications are made by durable subscribers once the change commits, so this test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spanish_agent_is_told_in_spanish_by_an_english_speaking_lead(make_agent, agent, api_inbox, receive):
    agent_update_profile(user=agent, name=agent.name, signature="", language="es")
    lead = make_agent("supervisor", name="Lee Lead")
    conversation = receive(api_inbox, "Where is my parcel?", subject="Parcel").conversation

    conversation_assign(conversation=conversation, actor=lead, assignee=agent)
    receive(api_inbox, "Any news?")

    texts = dict(Notification.objects.filter(recipient=agent).values_list("kind", "text"))
    assert texts == {"assignment": f"Lee Lead le asignó #{conversation.pk}: Parcel",
                     "customer_message": f"Rita Ruiz escribió en #{conversation.pk}: Any news?"}
