"""Fixtures for automation tests: customer messages arriving as a channel delivers them, and rules to save."""
import itertools

import pytest

from parley.automation.services.rules import rule_create
from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

_ids = itertools.count(1)


@pytest.fixture
def receive(db):
    """Deliver a customer message to an inbox through message_receive, as a channel would; return the message."""

    def deliver(inbox, text: str, *, source_id: str = "cust-1", name: str = "Rita Ruiz", subject: str = "", received_at=None,
                **extra):
        return message_receive(inbox=inbox, received_at=received_at, inbound=InboundMessage(
            external_id=f"auto-{next(_ids)}", identity_kind="external_id", source_id=source_id, contact_name=name,
            text=text, subject=subject, **extra))

    return deliver


@pytest.fixture
def trigger(admin):
    """Save an event trigger: `trigger(name, events=[...], conditions=[...], actions=[...], match="all")`."""

    def make(name: str, *, events: list[str], actions: list[dict], conditions: list | None = None, match: str = "all"):
        return rule_create(name=name, kind="trigger", actor=admin,
                           definition={"events": events, "match": match, "conditions": conditions or [], "actions": actions})

    return make
