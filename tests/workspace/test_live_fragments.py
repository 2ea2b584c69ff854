"""The small answers live pages ask for instead of whole pages: new timeline items, one item, the sidebar counts."""
import re

from django.urls import reverse

from parley.conversations.models import DeliveryStatus
from parley.conversations.services import conversation_assign, message_note, message_reply, message_set_delivery


def item_ids(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="message-(\d+)"', response.content.decode())]


def test_an_open_timeline_gets_only_the_items_after_the_newest_it_shows_and_the_summary(client, agent, api_inbox, receive):
    first = receive(api_inbox, "My parcel is late")
    conversation = first.conversation
    note = message_note(conversation=conversation, author=agent, text="Checking the courier")
    conversation_assign(conversation=conversation, actor=agent, assignee=agent)
    client.force_login(agent)

    response = client.get(reverse("workspace:timeline", args=[conversation.pk]), {"after": first.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert item_ids(response)[0] == note.pk and first.pk not in item_ids(response)
    assert "assigned this to Sam Agent" in body
    assert '<header id="conversation-summary" class="summary" hx-swap-oob="true">' in body and "Assigned to Sam Agent" in body


def test_a_delivery_change_fetches_that_one_item_with_its_new_status(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hello").conversation
    reply = message_reply(conversation=conversation, author=agent, text="Hi there")
    message_note(conversation=conversation, author=agent, text="Later note")
    message_set_delivery(message=reply, status=DeliveryStatus.FAILED, reason="mailbox full")
    client.force_login(agent)

    response = client.get(reverse("workspace:timeline", args=[conversation.pk]), {"message": reply.pk})

    assert item_ids(response) == [reply.pk]
    assert "Failed: mailbox full" in response.content.decode()


def test_a_timeline_asked_for_with_a_word_instead_of_a_number_is_refused_clearly(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hello").conversation
    client.force_login(agent)

    response = client.get(reverse("workspace:timeline", args=[conversation.pk]), {"after": "newest"})

    assert response.status_code == 400
    assert response.json() == {"message": "after and message must be message numbers.", "extra": {"after": "not a number"}}


def test_the_sidebar_counts_answer_alone_with_the_current_view_marked(client, agent, api_inbox, receive):
    conversation_assign(conversation=receive(api_inbox, "Hello").conversation, actor=agent, assignee=agent)
    receive(api_inbox, "Another", source_id="cust-2")
    client.force_login(agent)

    response = client.get(reverse("workspace:view-counts"), {"view": "mine"})

    body = response.content.decode()
    assert body.startswith('<ul id="view-counts" class="views">') and "hx-swap-oob" not in body
    counts = dict(re.findall(r'<span class="count" data-view="(\w+)">(\d+)</span>', body))
    assert counts == {"mine": "1", "unassigned": "1", "teams": "0", "all": "2"}
    assert re.search(r'view=mine" class="view-link is-current"', body)
