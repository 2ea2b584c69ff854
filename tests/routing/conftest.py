"""Fixtures for routing: a team of online agents behind an inbox, and customers writing in."""
import itertools

import pytest

from parley.accounts.models import Availability, Role
from parley.accounts.services import agent_set_availability, team_create
from parley.channels.base import InboundMessage
from parley.channels.services import inbox_create
from parley.conversations.services import message_receive
from parley.routing import services

_ids = itertools.count(1)


@pytest.fixture
def supervisor(make_agent):
    return make_agent(Role.SUPERVISOR, name="Sue Supervisor")


@pytest.fixture
def crew(make_agent):
    """Three agents, online, in the team "Support"."""
    agents = [make_agent(Role.AGENT, name=name) for name in ("Ana Alpha", "Ben Beta", "Cleo Gamma")]
    for agent in agents:
        agent_set_availability(user=agent, availability=Availability.ONLINE)
    return agents


@pytest.fixture
def support(crew):
    return team_create(name="Support", member_ids=[a.pk for a in crew])


@pytest.fixture
def inbox(support):
    return inbox_create(name="Help chat", kind="api", default_team=support)


@pytest.fixture
def policy(supervisor, support):
    """Set the team's routing: `policy(strategy, **options)`."""
    return lambda strategy, **options: services.routing_policy_save(actor=supervisor, team=support, strategy=strategy, **options)


@pytest.fixture
def write_in(inbox, on_commit):
    """A new customer writes to the inbox (durable subscribers run as the worker would); return the conversation."""
    def write(text="Hello", *, source_id=None, inbox_=None):
        n = next(_ids)
        with on_commit():
            message = message_receive(inbox=inbox_ or inbox, inbound=InboundMessage(
                external_id=f"r-{n}", identity_kind="external_id", source_id=source_id or f"customer-{n}", text=text))
        conversation = message.conversation
        conversation.refresh_from_db()
        return conversation

    return write
