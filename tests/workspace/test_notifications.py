"""Notifications for an assignment, a customer message on my conversation and a mention, as each agent chose."""
import pytest

from parley.conversations.models import Conversation, Notification
from parley.conversations.services import conversation_assign, message_note
from parley.desk.services import notification_preferences_save

# Notifications are made by durable subscribers once the change commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _kinds(agent) -> list[str]:
    return sorted(Notification.objects.filter(recipient=agent).values_list("kind", flat=True))


def test_an_agent_is_told_of_an_assignment_by_someone_else_and_of_the_customers_next_message(make_agent, agent, api_inbox, receive):
    lead = make_agent("supervisor", name="Lee Lead")
    conversation = receive(api_inbox, "Where is my parcel?", subject="Parcel").conversation

    conversation_assign(conversation=conversation, actor=lead, assignee=agent)
    receive(api_inbox, "Any news?")

    assert _kinds(agent) == ["assignment", "customer_message"]
    assert Notification.objects.get(recipient=agent, kind="assignment").text == f"Lee Lead assigned you #{conversation.pk}: Parcel"


def test_taking_a_conversation_yourself_is_no_news(agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation

    conversation_assign(conversation=conversation, actor=agent, assignee=agent)

    assert _kinds(agent) == []


def test_an_agent_who_turned_notifications_off_gets_none(make_agent, agent, api_inbox, receive):
    notification_preferences_save(agent=agent, assignment=False, customer_message=False, mention=False, browser=False, sound=False)
    lead = make_agent("supervisor")
    conversation = receive(api_inbox, "Hi").conversation

    conversation_assign(conversation=conversation, actor=lead, assignee=agent)
    receive(api_inbox, "Hello?")
    message_note(conversation=Conversation.objects.get(pk=conversation.pk), author=lead, text=f"@{agent.name.split()[0]} look")

    assert _kinds(agent) == []


def test_preferences_are_saved_from_my_profile_and_tell_the_page_how_to_alert(client, agent):
    client.force_login(agent)

    client.post("/me/notifications/", {"assignment": "on", "mention": "on", "browser": "on"})

    page = client.get("/me/").content.decode()
    assert 'data-notify-browser="1" data-notify-sound="0"' in page
    assert 'name="customer_message" id="id_customer_message">' in page  # unticked
    assert 'name="assignment" id="id_assignment" checked>' in page
