"""Fixtures for SLAs: an office calendar in Berlin, a team with a supervisor, and customers writing at set times."""
import itertools
from datetime import datetime

import pytest

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.channels.base import InboundMessage
from parley.channels.services import inbox_create
from parley.conversations.services import message_receive
from parley.routing.services import calendar_save

_ids = itertools.count(1)


@pytest.fixture
def lead(make_agent):
    return make_agent(Role.SUPERVISOR, name="Lea Lead")


@pytest.fixture
def first_line(lead, agent):
    return team_create(name="First line", member_ids=[lead.pk, agent.pk])


@pytest.fixture
def inbox(first_line):
    return inbox_create(name="Mail", kind="api", default_team=first_line)


@pytest.fixture
def office(lead):
    return calendar_save(actor=lead, name="Berlin office", time_zone="Europe/Berlin",
                         hours={day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})


@pytest.fixture
def write_in(inbox, on_commit):
    """`write_in(at, text)`: a customer writes at `at` (the conversation's clock starts then); return the conversation."""
    def write(at: datetime, text: str = "Help!", *, conversation=None):
        n = next(_ids)
        with on_commit():
            message = message_receive(inbox=inbox, received_at=at, inbound=InboundMessage(
                external_id=f"s-{n}", identity_kind="external_id", source_id="customer-1" if conversation else f"c-{n}",
                text=text, conversation_id=conversation.pk if conversation else None))
        message.conversation.refresh_from_db()
        return message.conversation

    return write
