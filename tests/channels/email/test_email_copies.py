"""Cc and Bcc an agent adds to one email reply: Cc in the header, Bcc only in the envelope; other channels refuse them."""
import pytest
from django.test import Client

from mailmaker import mail
from parley.channels.email.services import email_store
from parley.conversations.models import Conversation
from parley.conversations.services import message_reply
from parley.core.errors import ValidationFailed

pytestmark = pytest.mark.servers


@pytest.fixture
def conversation(make_email_inbox, smtp_sink, on_commit):
    inbox = make_email_inbox(smtp_port=smtp_sink.port)
    with on_commit():
        email_store(inbox=inbox, raw=mail(message_id="first@customer.test"))
    return Conversation.objects.get()


def test_an_agent_copies_a_reply_to_a_colleague_and_blind_to_the_manager(conversation, smtp_sink, agent, on_commit):
    client = Client()
    client.force_login(agent)

    with on_commit():
        client.post(f"/c/{conversation.pk}/reply/", {"text": "Refund approved.", "cc": "Ops@Customer.test",
                                                      "bcc": "manager@example.test; ops@customer.test"})

    (_, recipients, sent), = smtp_sink.messages
    assert sorted(recipients) == ["manager@example.test", "ops@customer.test", "rita@customer.test"]
    assert sent["To"] == "rita@customer.test" and sent["Cc"] == "ops@customer.test"
    assert sent["Bcc"] is None and "manager@example.test" not in sent.as_string()
    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert "Cc: ops@customer.test" in page and "Bcc: manager@example.test, ops@customer.test" in page


def test_an_address_that_is_not_one_is_refused_and_nothing_is_queued(conversation, smtp_sink, agent):
    client = Client()
    client.force_login(agent)

    response = client.post(f"/c/{conversation.pk}/reply/", {"text": "Hi", "cc": "ops@customer.test, not-an-address"})

    assert response.status_code == 422 and "“not-an-address” is not an email address." in response.content.decode()
    assert 'value="ops@customer.test, not-an-address"' in response.content.decode()
    assert conversation.messages.count() == 1


def test_a_channel_that_cannot_copy_refuses_cc(api_inbox, agent, receive_api):
    conversation = receive_api(api_inbox)

    with pytest.raises(ValidationFailed, match="cannot copy a reply to other addresses"):
        message_reply(conversation=conversation, author=agent, text="Hi", cc=["ops@customer.test"])


@pytest.fixture
def receive_api(db):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import message_receive

    return lambda inbox: message_receive(inbox=inbox, inbound=InboundMessage(
        external_id="m-1", identity_kind="external_id", source_id="c-1", text="Hi")).conversation
