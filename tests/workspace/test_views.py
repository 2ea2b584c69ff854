"""The workspace pages through Django's test client: what each role sees and may do."""
import pytest
from django.urls import reverse

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.conversations.models import CustomStatus, DeliveryStatus, MessageKind, Priority, Status
from parley.conversations.services import message_note, message_reply, message_set_delivery


def conversation_url(conversation, action=None):
    if action:
        return reverse("workspace:action", args=[conversation.pk, action])
    return reverse("workspace:conversation", args=[conversation.pk])


def test_given_a_wrong_password_when_logging_in_then_the_page_says_so(client, agent):
    response = client.post(reverse("workspace:login"), {"username": agent.email, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct email and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_given_the_right_password_when_logging_in_then_the_agent_lands_on_the_inbox(client, agent):
    response = client.post(reverse("workspace:login"), {"username": agent.email, "password": "pw-secret-1"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("workspace:home")
    assert "Sam Agent" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client, api_inbox, receive):
    message = receive(api_inbox, "Hello")

    for url in (reverse("workspace:home"), conversation_url(message.conversation)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login"))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_every_role_sees_the_inbox_the_conversation_and_notifications(client, make_agent, api_inbox, receive, role):
    user = make_agent(role, name="Robin Role")
    message = receive(api_inbox, "Where is my parcel?", subject="Parcel missing")
    client.force_login(user)

    inbox = client.get(reverse("workspace:home")).content.decode()
    page = client.get(conversation_url(message.conversation)).content.decode()
    notifications = client.get(reverse("workspace:notifications"))

    assert f"#{message.conversation.pk}" in inbox and "Parcel missing" in inbox and "Rita Ruiz" in inbox
    assert "Where is my parcel?" in page and "Internal note" in page
    assert ("Send reply" in page) is (role != Role.LIGHT_AGENT)
    assert notifications.status_code == 200


def test_a_light_agent_cannot_reply_and_is_told_why(client, make_agent, api_inbox, receive):
    light = make_agent(Role.LIGHT_AGENT, name="Lee Light")
    conversation = receive(api_inbox, "Help").conversation
    client.force_login(light)

    response = client.post(conversation_url(conversation, "reply"), {"text": "Sure, here you go"})

    assert response.status_code == 403
    assert "may not do conversation.reply" in response.content.decode()
    assert not conversation.messages.filter(direction="out", kind=MessageKind.REPLY).exists()


def test_a_light_agent_can_add_an_internal_note(client, make_agent, api_inbox, receive):
    light = make_agent(Role.LIGHT_AGENT, name="Lee Light")
    conversation = receive(api_inbox, "Help").conversation
    client.force_login(light)

    response = client.post(conversation_url(conversation, "note"), {"text": "Looks like a courier issue"}, follow=True)

    assert response.status_code == 200
    assert conversation.messages.get(kind=MessageKind.NOTE).text == "Looks like a courier issue"
    assert 'class="msg msg-out kind-note"' in response.content.decode()


def test_when_an_agent_replies_with_htmx_then_the_conversation_comes_back_with_the_reply(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Is it in stock?").conversation
    client.force_login(agent)

    response = client.post(conversation_url(conversation, "reply"), {"text": "Yes, ships today.", "status": "pending"},
                           headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="conversation"') and "<html" not in body
    assert "Yes, ships today." in body
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING and conversation.assignee == agent


def test_an_empty_reply_is_refused_with_a_message_and_nothing_is_sent(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    response = client.post(conversation_url(conversation, "reply"), {"text": ""})

    assert response.status_code == 422
    assert "Write something or attach a file before sending." in response.content.decode()
    assert conversation.messages.count() == 1


def test_assigning_an_agent_outside_the_team_shows_the_error_and_changes_nothing(client, make_agent, agent, api_inbox, receive):
    billing = team_create(name="Billing")
    conversation = receive(api_inbox, "Refund please").conversation
    client.force_login(agent)

    response = client.post(conversation_url(conversation, "assign"), {"assignee": agent.pk, "team": billing.pk},
                           headers={"HX-Request": "true"})

    assert response.status_code == 422
    assert 'id="action-error"' in response.content.decode()
    assert "Sam Agent is not a member of Billing." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee is None and conversation.team is None


def test_merging_into_a_number_that_does_not_exist_shows_the_error_and_changes_nothing(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Duplicate?").conversation
    client.force_login(agent)

    response = client.post(conversation_url(conversation, "merge"), {"number": "#99999"})

    assert response.status_code == 422
    assert "There is no conversation #99999." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.merged_into is None and conversation.status == Status.NEW


def test_an_unknown_priority_is_refused_and_the_priority_stays(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    response = client.post(conversation_url(conversation, "fields"), {"priority": "sky-high", "type": "question"})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.priority == Priority.NORMAL


def test_agent_actions_change_the_conversation_and_show_in_the_timeline(client, agent, team, api_inbox, receive):
    conversation = receive(api_inbox, "Broken screen", source_id="a").conversation
    other = receive(api_inbox, "Same broken screen", source_id="b").conversation
    waiting = CustomStatus.objects.create(name="Waiting on vendor", category=Status.PENDING)
    client.force_login(agent)

    client.post(conversation_url(conversation, "assign"), {"assignee": agent.pk, "team": team.pk})
    client.post(conversation_url(conversation, "status"), {"status": f"custom-{waiting.pk}"})
    client.post(conversation_url(conversation, "fields"), {"priority": "high", "type": "incident"})
    client.post(conversation_url(conversation, "tags"), {"tags": "Hardware, warranty"})
    client.post(conversation_url(conversation, "escalate"), {"reason": "needs a technician"})
    client.post(conversation_url(conversation, "link"), {"number": str(other.pk)})
    page = client.get(conversation_url(conversation)).content.decode()

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team, conversation.status) == (agent, team, Status.PENDING)
    assert conversation.custom_status == waiting and conversation.priority == "high" and conversation.type == "incident"
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["hardware", "warranty"]
    assert conversation.tier == 2 and list(conversation.related.all()) == [other]
    assert "Waiting on vendor" in page and "escalated this to tier 2: needs a technician" in page
    assert f"#{other.pk}</a>" in page


def test_merging_moves_the_messages_and_opens_the_kept_conversation(client, agent, api_inbox, receive):
    from parley.conversations.services import conversation_create

    keep = receive(api_inbox, "First", source_id="a").conversation
    merged = conversation_create(inbox=api_inbox, contact=keep.contact, subject="Second")
    receive(api_inbox, "Second", source_id="a", conversation_id=merged.pk)
    client.force_login(agent)

    response = client.post(conversation_url(merged, "merge"), {"number": str(keep.pk)}, headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == conversation_url(keep)
    merged.refresh_from_db()
    assert merged.merged_into == keep
    assert "Second" in client.get(conversation_url(keep)).content.decode()


def test_merging_another_customers_conversation_says_why_not_and_changes_nothing(client, agent, api_inbox, receive):
    ritas = receive(api_inbox, "First", source_id="a").conversation
    bobs = receive(api_inbox, "Bob's own", source_id="b", name="Bob Brown").conversation
    client.force_login(agent)

    response = client.post(conversation_url(bobs, "merge"), {"number": str(ritas.pk)}, headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert "belongs to another customer" in response.content.decode()
    bobs.refresh_from_db()
    assert bobs.merged_into is None


def test_the_timeline_tells_notes_replies_delivery_and_attachments_apart(client, agent, api_inbox, receive):
    from parley.channels.base import InboundAttachment

    inbound = receive(api_inbox, "See the photo", attachments=(InboundAttachment("photo.jpg", "image/jpeg", b"\xff\xd8jpeg"),))
    conversation = inbound.conversation
    reply = message_reply(conversation=conversation, author=agent, text="Thanks, looking now")
    message_set_delivery(message=reply, status=DeliveryStatus.FAILED, reason="callback refused the message with 410")
    message_note(conversation=conversation, author=agent, text="Customer is a VIP")
    client.force_login(agent)

    page = client.get(conversation_url(conversation)).content.decode()
    attachment = inbound.attachments.get()
    download = client.get(reverse("workspace:attachment", args=[attachment.pk]))

    assert 'class="msg msg-out kind-note"' in page and "Customer is a VIP" in page
    assert 'class="delivery delivery-failed"' in page and "Failed: callback refused the message with 410" in page
    assert reverse("workspace:attachment", args=[attachment.pk]) in page and "photo.jpg" in page
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"\xff\xd8jpeg"
    assert 'filename="photo.jpg"' in download["Content-Disposition"]


def test_customer_html_is_shown_sanitized_and_plain_text_keeps_its_line_breaks(client, agent, api_inbox, receive):
    html_message = receive(api_inbox, "fallback", html='<p>Hi <b>team</b></p><script>alert(1)</script>', source_id="h")
    text_message = receive(api_inbox, "line one\nline two", source_id="t")
    client.force_login(agent)

    html_page = client.get(conversation_url(html_message.conversation)).content.decode()
    text_page = client.get(conversation_url(text_message.conversation)).content.decode()

    assert "<p>Hi <b>team</b></p>" in html_page and "<script>alert(1)</script>" not in html_page
    assert "line one<br>line two" in text_page


def test_the_customer_panel_unifies_identities_and_conversations_across_channels(client, agent, api_inbox, webform_inbox, receive):
    from parley.contacts.models import Organization, Segment

    by_api = receive(api_inbox, "Order 778 is late", kind="email", source_id="rita@shop.test", subject="Late order")
    by_form = receive(webform_inbox, "Also the invoice is wrong", kind="email", source_id="rita@shop.test", subject="Invoice")
    contact = by_api.conversation.contact
    contact.organization = Organization.objects.create(name="Ruiz Bakery")
    contact.phone = "+34 600 000 000"
    contact.save()
    contact.segments.add(Segment.objects.create(name="VIP"))
    client.force_login(agent)

    page = client.get(conversation_url(by_api.conversation)).content.decode()

    assert by_form.conversation.contact_id == contact.pk
    panel = page[page.index('class="card customer-panel"'):]
    assert "Ruiz Bakery" in panel and "+34 600 000 000" in panel and "VIP" in panel and "rita@shop.test" in panel
    assert "in Shop app" in panel and "in Contact form" in panel
    assert f"#{by_form.conversation.pk} Invoice" in panel and f"#{by_api.conversation.pk} Late order" in panel
    assert "Also the invoice is wrong" in panel and "Order 778 is late" in panel


def test_a_mention_in_a_note_shows_on_the_mentioned_agents_badge(client, make_agent, agent, api_inbox, receive):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    conversation = receive(api_inbox, "Help").conversation
    message_note(conversation=conversation, author=agent, text="@ana can you take this?")
    client.force_login(ana)

    page = client.get(reverse("workspace:home")).content.decode()
    notifications = client.get(reverse("workspace:notifications")).content.decode()
    client.post(reverse("workspace:notifications-read"))
    after = client.get(reverse("workspace:home")).content.decode()

    assert 'data-count="1">1</span>' in page
    assert "Sam Agent mentioned you on" in notifications
    assert 'data-count="0">0</span>' in after
