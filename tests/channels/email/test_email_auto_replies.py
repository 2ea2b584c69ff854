"""Out-of-office answers and list mail: kept where they belong, but they never move a conversation."""
from pathlib import Path

import pytest
from django.urls import reverse

from mailmaker import mail
from parley.conversations.models import Conversation, Status
from parley.conversations.services import conversation_set_status, message_reply

CORPUS = Path(__file__).parent / "corpus"
OUT_OF_OFFICE = {"Auto-Submitted": "auto-replied"}


@pytest.fixture
def answered(make_email_inbox, receive, agent, on_commit):
    """Rita's conversation, answered by an agent; returns (conversation, our reply's Message-ID)."""
    inbox = make_email_inbox(reply_to_closed="follow_up")
    receive(inbox, mail(message_id="first@customer.test"))
    conversation = Conversation.objects.get()
    with on_commit():
        reply = message_reply(conversation=conversation, author=agent, text="It ships today.")
    reply.refresh_from_db()
    return conversation, reply.external_id


def out_of_office(in_reply_to: str) -> bytes:
    return mail(subject="Automatic reply: Re: Order 1001 is late", text="I am out of the office until Monday.",
                in_reply_to=in_reply_to, headers=OUT_OF_OFFICE)


@pytest.mark.parametrize("status", [Status.SOLVED, Status.PENDING, Status.ON_HOLD])
def test_an_out_of_office_answer_is_kept_but_leaves_the_status_and_the_customer_clock_alone(
        answered, receive, agent, status):
    conversation, reply_id = answered
    conversation_set_status(conversation=conversation, actor=agent, status=status)
    conversation.refresh_from_db()
    last_inbound = conversation.last_inbound_at

    message = receive(conversation.inbox, out_of_office(reply_id)).message

    conversation.refresh_from_db()
    assert message.conversation_id == conversation.pk and message.metadata["auto_reply"] is True
    assert conversation.status == status and conversation.reopened_count == 0
    assert conversation.last_inbound_at == last_inbound
    assert not conversation.started_automatic

    # The customer's own answer still moves it, so the rule above is about automatic mail only.
    receive(conversation.inbox, mail(subject="Re: Order 1001 is late", text="Any news?", in_reply_to=reply_id))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.last_inbound_at > last_inbound


def test_an_out_of_office_answer_to_a_closed_conversation_stays_on_it_instead_of_opening_a_follow_up(
        answered, receive, agent):
    conversation, reply_id = answered
    conversation_set_status(conversation=conversation, actor=agent, status=Status.CLOSED)

    message = receive(conversation.inbox, out_of_office(reply_id)).message

    assert message.conversation_id == conversation.pk
    assert Conversation.objects.count() == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED


@pytest.fixture
def two_conversations(make_email_inbox, receive):
    """A person's conversation and one opened by list mail; returns (person's, automatic)."""
    inbox = make_email_inbox()
    person = receive(inbox, mail(message_id="person@customer.test")).message.conversation
    automatic = receive(inbox, (CORPUS / "bulk_newsletter.eml").read_bytes()).message.conversation
    return person, automatic


def test_a_conversation_opened_by_automatic_mail_is_flagged_and_can_be_filtered_in_the_workspace(
        two_conversations, client, agent):
    person, automatic = two_conversations
    assert automatic.started_automatic and not person.started_automatic
    client.force_login(agent)

    def listed(**query) -> set[int]:
        page = client.get(reverse("workspace:home"), {"status": "any", **query})
        return {c.pk for c in page.context["page"].object_list}

    assert listed() == {person.pk, automatic.pk}
    assert listed(automatic="hide") == {person.pk}
    assert listed(automatic="only") == {automatic.pk}
    page = client.get(reverse("workspace:home"), {"status": "any"}).content.decode()
    assert page.count('<span class="chip automatic">Automatic</span>') == 1


def test_a_conversation_opened_by_automatic_mail_can_be_filtered_in_the_api(two_conversations, api_as, agent):
    person, automatic = two_conversations
    api = api_as(agent)

    def listed(**query) -> dict[int, bool]:
        items = api.get("/conversations", **query).json()["items"]
        return {item["id"]: item["started_automatic"] for item in items}

    assert listed() == {person.pk: False, automatic.pk: True}
    assert listed(automatic="false") == {person.pk: False}
    assert listed(automatic="true") == {automatic.pk: True}
    refused = api.get("/conversations", automatic="perhaps")
    assert refused.status_code == 422


def test_a_person_writing_into_a_conversation_opened_by_automatic_mail_makes_it_a_real_one(make_email_inbox, receive):
    inbox = make_email_inbox()
    conversation = receive(inbox, mail(message_id="ooo@customer.test", headers=OUT_OF_OFFICE)).message.conversation
    assert conversation.started_automatic and conversation.status == Status.NEW

    receive(inbox, mail(subject="Re: Order 1001 is late", text="Back now: where is it?", in_reply_to="ooo@customer.test"))

    conversation.refresh_from_db()
    assert not conversation.started_automatic
