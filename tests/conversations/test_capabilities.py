"""Channel capabilities: a reply the channel cannot carry is refused before anything is queued, and the composer says why."""
import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parley.channels.api.adapter import ApiAdapter
from parley.channels.base import AttachmentRules, Capabilities, InboundAttachment, InboundMessage
from parley.channels.capabilities import sms_segments
from parley.conversations.models import Message
from parley.conversations.services import message_receive, message_reply
from parley.core.errors import ValidationFailed

counter = iter(range(1, 10_000))
PHOTO = InboundAttachment("photo.jpg", "image/jpeg", b"\xff\xd8" + b"x" * 100)


def receive(inbox, text="Hello", *, received_at=None):
    return message_receive(inbox=inbox, received_at=received_at, inbound=InboundMessage(
        external_id=f"cap-{next(counter)}", identity_kind="email" if inbox.kind != "api" else "external_id",
        source_id="rita@customer.test", contact_email="rita@customer.test", text=text))


@pytest.fixture
def email_inbox(db):
    from parley.channels.services import inbox_create

    return inbox_create(name="Support email", kind="email", config={"addresses": ["support@example.test"]})


@pytest.fixture
def chat_like(monkeypatch, api_inbox):
    """The API channel, limited as a messaging app is: 500 characters, one image up to 1 MB, a 24-hour window."""
    monkeypatch.setattr(ApiAdapter, "capabilities", Capabilities(
        max_length=500, attachments=AttachmentRules(types=("image/*",), max_bytes=1_000_000, max_count=1),
        reply_window=timedelta(hours=24), typing=True, read_receipts=True))
    return api_inbox


def refused(conversation, agent, **reply) -> ValidationFailed:
    before = Message.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        message_reply(conversation=conversation, author=agent, **reply)
    assert Message.objects.count() == before, "nothing may be stored or queued for a refused reply"
    return caught.value


def test_a_reply_longer_than_the_channel_carries_is_refused_and_nothing_is_queued(chat_like, agent):
    conversation = receive(chat_like).conversation

    error = refused(conversation, agent, text="x" * 501)

    assert error.extra == {"text": "501 characters; at most 500 fit in one message"}
    assert error.message.startswith("API cannot carry this reply")
    assert message_reply(conversation=conversation, author=agent, text="x" * 500).delivery_status == "queued"


@pytest.mark.parametrize(("attachments", "problem"), [
    ((InboundAttachment("invoice.pdf", "application/pdf", b"%PDF"),), "invoice.pdf: application/pdf is not carried (allowed: image/*)"),
    ((InboundAttachment("big.jpg", "image/jpeg", b"x" * 1_000_001),), "big.jpg: larger than 976.6\xa0KB"),
    ((PHOTO, PHOTO), "2 files; at most 1 per message"),
], ids=["type", "size", "count"])
def test_attachments_the_channel_cannot_carry_are_refused(chat_like, agent, attachments, problem):
    conversation = receive(chat_like).conversation

    assert refused(conversation, agent, text="See attached", attachments=attachments).extra == {"attachments": problem}


def test_outside_the_reply_window_only_a_template_could_go(chat_like, agent):
    late = receive(chat_like, received_at=timezone.now() - timedelta(hours=25)).conversation
    recent = receive(chat_like, received_at=timezone.now() - timedelta(hours=23)).conversation

    error = refused(late, agent, text="Sorry for the wait")

    assert "24-hour reply window" in error.extra["text"] and "template" in error.extra["text"]
    assert message_reply(conversation=recent, author=agent, text="On it", attachments=(PHOTO,)).pk


def test_html_on_a_text_only_channel_is_refused(webform_inbox, agent):
    conversation = receive(webform_inbox).conversation

    error = refused(conversation, agent, text="Thanks", html="<p><b>Thanks</b></p>")

    assert error.extra == {"html": "this channel sends plain text only; send the reply as text"}


def test_email_carries_html_and_any_attachment(email_inbox, agent):
    conversation = receive(email_inbox).conversation

    reply = message_reply(conversation=conversation, author=agent, text="Invoice attached", html="<p>Invoice attached</p>",
                          attachments=(InboundAttachment("invoice.pdf", "application/pdf", b"%PDF"), PHOTO))

    assert reply.attachments.count() == 2


@pytest.mark.parametrize(("text", "segments"), [
    ("", 0), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("{" * 80, 1), ("{" * 81, 2),  # extension characters take two septets
    ("é" * 160, 1),  # in the GSM basic set
    ("ł" * 70, 1), ("ł" * 71, 2), ("😀" * 35, 1), ("😀" * 36, 2),  # UCS-2, emoji are two code units
])
def test_sms_segments_count_as_carriers_do(text, segments):
    assert sms_segments(text) == segments


def test_a_channel_limited_in_segments_refuses_a_longer_text():
    capabilities = Capabilities(max_segments=1)

    assert capabilities.refusals(text="a" * 160, now=timezone.now()) == {}
    assert capabilities.refusals(text="ł" * 71, now=timezone.now()) == {"text": "2 SMS segments; at most 1 fit in one message"}


def test_the_api_answers_a_reply_the_channel_cannot_carry_with_422(chat_like, agent, api_as):
    conversation = receive(chat_like).conversation

    response = api_as(agent).post(f"/conversations/{conversation.pk}/messages", {
        "kind": "reply", "text": "Here", "attachments": [{"filename": "a.pdf", "content_type": "application/pdf",
                                         "content_base64": base64.b64encode(b"%PDF").decode()}]})

    assert response.status_code == 422
    assert response.json()["extra"] == {"attachments": "a.pdf: application/pdf is not carried (allowed: image/*)"}
    assert conversation.messages.count() == 1


def test_the_composer_states_what_the_channel_carries(client, agent, email_inbox, webform_inbox):
    email = receive(email_inbox).conversation
    webform = receive(webform_inbox).conversation
    client.force_login(agent)

    email_page = client.get(reverse("workspace:conversation", args=[email.pk])).content.decode()
    webform_page = client.get(reverse("workspace:conversation", args=[webform.pk])).content.decode()

    assert "Email · HTML · attachments up to 25.0\xa0MB" in email_page
    assert "Web form · text only · attachments up to 25.0\xa0MB · sent by email with a link to the help center" in webform_page
    assert 'id="reply-counter"' not in email_page


def test_the_composer_counts_characters_and_shows_a_refusal_next_to_the_text(client, agent, chat_like):
    conversation = receive(chat_like).conversation
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()
    response = client.post(reverse("workspace:action", args=[conversation.pk, "reply"]), {"text": "x" * 501},
                           headers={"HX-Request": "true"})

    assert 'data-max-length="500"' in page and "0 / 500 characters" in page
    assert 'accept="image/*"' in page and "replies within 24 h of the customer&#x27;s last message" in page
    assert response.status_code == 422
    body = response.content.decode()
    assert '<p class="field-error" role="alert">501 characters; at most 500 fit in one message</p>' in body
    assert "x" * 501 in body, "the refused text stays in the composer"


def test_a_german_agent_is_told_in_german_why_the_reply_does_not_fit_and_the_counter_counts_in_german(client, agent, chat_like):
    from parley.accounts.services import agent_update_profile

    conversation = receive(chat_like).conversation
    agent_update_profile(user=agent, name=agent.name, signature="", language="de")
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()
    response = client.post(reverse("workspace:action", args=[conversation.pk, "reply"]), {"text": "x" * 501},
                           headers={"HX-Request": "true"})

    assert 'data-characters="Zeichen"' in page and "0 / 500 Zeichen" in page
    assert '<p class="field-error" role="alert">501 Zeichen; höchstens 500 passen in eine Nachricht</p>' in response.content.decode()


def test_the_composer_says_when_the_reply_window_has_closed(client, agent, chat_like):
    conversation = receive(chat_like, received_at=timezone.now() - timedelta(days=2)).conversation
    client.force_login(agent)

    page = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()

    assert "The 24-hour reply window after the customer's last message has closed" in page
