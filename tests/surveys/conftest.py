"""Fixtures for surveys: a web-form conversation whose customer is reached by email, and its survey mail."""
import re

import pytest

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive


@pytest.fixture
def form_conversation(webform_inbox, agent, run_due_jobs):
    """A web-form request from rita@example.test, assigned to Sam Agent; its acknowledgement already sent."""
    from django.core import mail

    from parley.conversations.services import conversation_assign

    message = message_receive(inbox=webform_inbox, inbound=InboundMessage(
        external_id="form-1", identity_kind="email", source_id="rita@example.test", contact_email="rita@example.test",
        contact_name="Rita Ruiz", text="My order never arrived", subject="Missing order"))
    conversation_assign(conversation=message.conversation, actor=agent, assignee=agent)
    drain(run_due_jobs)
    mail.outbox.clear()
    return message.conversation


def drain(run_due_jobs) -> None:
    while run_due_jobs():
        pass


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+/surveys/answer/\S+", body)
