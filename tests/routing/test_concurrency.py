"""Two workers assigning at once, in real concurrent transactions (run the suite on PostgreSQL to see row locks at work)."""
import threading

import pytest
from django.db import connection

from parley.accounts.models import Availability, User
from parley.accounts.services import agent_set_availability
from parley.conversations.models import Conversation
from parley.core.models import Event
from parley.routing import services
from parley.routing.models import QueuedConversation, Strategy


def _together(*calls):
    """Run each call in its own thread (its own database connection), started at the same moment; return results."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(n, call):
        try:
            barrier.wait()
            results[n] = call()
        except Exception as exc:  # reported by the test, never swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@pytest.fixture
def queued(transactional_db, crew, supervisor, policy, write_in):
    """Twenty conversations waiting while the crew is away; each agent may hold two chats."""
    policy(Strategy.LEAST_LOADED)
    for agent in crew:
        services.agent_routing_set(agent=agent, actor=supervisor, skills=[], capacity={"api": 2}, default_capacity=2)
        agent_set_availability(user=agent, availability=Availability.AWAY)
    conversations = [write_in() for _ in range(20)]
    assert QueuedConversation.objects.count() == 20
    # Back online without the event, so that only the two workers below assign.
    User.objects.filter(pk__in=[a.pk for a in crew]).update(availability=Availability.ONLINE)
    return conversations


def test_two_workers_draining_one_queue_never_exceed_capacity(queued, crew):
    policy_id = QueuedConversation.objects.first().policy_id

    counts = _together(*(lambda: services.queue_drain(policy_id=policy_id, limit=3) for _ in range(2)))

    assert sum(counts) == 6
    held = {agent.name: Conversation.objects.filter(assignee=agent).count() for agent in crew}
    assert held == {"Ana Alpha": 2, "Ben Beta": 2, "Cleo Gamma": 2}
    assert QueuedConversation.objects.count() == 14


def test_two_workers_routing_the_same_conversation_assign_it_once(queued):
    conversation = queued[0]

    winners = _together(*(lambda: services.conversation_route(conversation_id=conversation.pk) for _ in range(2)))

    assert len([w for w in winners if w is not None]) == 1
    assigned = [e for e in Event.objects.filter(name="conversation.assigned") if e.payload["conversation_id"] == conversation.pk]
    assert len(assigned) == 1
