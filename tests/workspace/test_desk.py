"""An agent's desk with the Django test client: unread markers per assignee, drafts kept on the server,
and a reply that assigns the conversation saying so in the timeline."""
import re

from parley.conversations.models import Conversation, MessageKind
from parley.desk.models import Draft


def _row(page: str, number: int) -> str:
    return re.search(rf'<li class="row[^"]*" id="row-{number}".*?</li>', page, re.S).group(0)


def test_a_customer_message_is_unread_for_its_assignee_until_they_open_it_not_when_someone_else_does(
        client, make_agent, agent, api_inbox, receive):
    colleague = make_agent()
    conversation = receive(api_inbox, "Where is my parcel?").conversation
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)

    client.force_login(agent)
    assert "is-unread" in _row(client.get("/").content.decode(), conversation.pk)
    client.force_login(colleague)
    client.get(f"/c/{conversation.pk}/")
    assert "is-unread" not in _row(client.get("/").content.decode(), conversation.pk)

    client.force_login(agent)
    assert "is-unread" in _row(client.get("/").content.decode(), conversation.pk)
    client.get(f"/c/{conversation.pk}/")
    assert "is-unread" not in _row(client.get("/").content.decode(), conversation.pk)
    receive(api_inbox, "Any news?")
    assert "Unread" in _row(client.get("/").content.decode(), conversation.pk)


def test_a_draft_is_kept_per_agent_shown_again_and_gone_once_sent(client, make_agent, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    saved = client.post(f"/c/{conversation.pk}/draft/", {"kind": "reply", "text": "Half a thought"})
    client.post(f"/c/{conversation.pk}/draft/", {"kind": "note", "text": "Check the warehouse"})

    assert saved.status_code == 204
    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert ">Half a thought</textarea>" in page and ">Check the warehouse</textarea>" in page
    client.force_login(make_agent())
    assert "Half a thought" not in client.get(f"/c/{conversation.pk}/").content.decode()
    client.force_login(agent)
    client.post(f"/c/{conversation.pk}/reply/", {"text": "Half a thought, finished."})
    assert list(Draft.objects.values_list("kind", flat=True)) == ["note"]
    client.post(f"/c/{conversation.pk}/draft/", {"kind": "note", "text": "   "})
    assert not Draft.objects.exists()


def test_a_draft_of_an_unknown_kind_is_refused_with_the_reason(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    response = client.post(f"/c/{conversation.pk}/draft/", {"kind": "poem", "text": "Roses"})

    assert response.status_code == 422
    assert response.json()["message"] == "A draft is a reply or a note."


def test_replying_to_an_unassigned_conversation_assigns_it_with_a_timeline_entry(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    client.post(f"/c/{conversation.pk}/reply/", {"text": "Hello!"})

    conversation.refresh_from_db()
    assert conversation.assignee == agent
    events = list(conversation.messages.filter(kind=MessageKind.EVENT).values_list("text", flat=True))
    assert f"{agent} replied and was assigned this conversation." in events
