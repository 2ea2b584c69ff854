"""Remote images in customer HTML stay unloaded until the agent asks: the sender cannot see who read the mail, or when."""
from django.urls import reverse

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

TRACKER = "https://tracker.example.net/open.gif?u=rita"


def receive_html(inbox, html):
    return message_receive(inbox=inbox, inbound=InboundMessage(
        external_id="m-html", identity_kind="external_id", source_id="rita", text="Hello", html=html))


def test_a_remote_image_is_not_in_the_page_until_load_images_is_asked_for(client, agent, api_inbox):
    message = receive_html(api_inbox, f'<p>Hello</p><img src="{TRACKER}" alt="logo"><img src="cid:part1" alt="inline">')
    conversation = message.conversation
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.number])).content.decode()
    loaded = client.get(reverse("workspace:message-images", args=[conversation.number, message.pk]),
                        headers={"HX-Request": "true"}).content.decode()

    assert "tracker.example.net" not in page
    assert 'alt="logo"' in page and 'src="cid:part1"' in page
    assert "Load images" in page
    assert f'src="{TRACKER.replace("&", "&amp;")}"' in loaded
    assert "Load images" not in loaded and f'id="message-{message.pk}"' in loaded


def test_a_mail_without_remote_images_offers_nothing_to_load(client, agent, api_inbox):
    conversation = receive_html(api_inbox, '<p>Plain <b>text</b></p>').conversation
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.number])).content.decode()

    assert "Load images" not in page and "<b>text</b>" in page


def test_another_conversations_message_is_not_served_through_this_one(client, agent, api_inbox):
    message = receive_html(api_inbox, f'<img src="{TRACKER}">')
    other = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="m-other", identity_kind="external_id", source_id="someone-else", text="Hi")).conversation
    client.force_login(agent)

    response = client.get(reverse("workspace:message-images", args=[other.number, message.pk]))

    assert response.status_code == 404
