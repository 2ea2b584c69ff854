"""What routing does when something happens (registered in parley/subscriptions.py; each is idempotent)."""
from datetime import datetime

from parley.core.models import Event
from parley.conversations.models import Status
from parley.routing import services


def route_new(name: str, payload: dict) -> None:
    """A conversation was opened or a customer wrote: give it to an agent if nobody holds it."""
    services.conversation_route(conversation_id=payload["conversation_id"])


def agent_available(name: str, payload: dict) -> None:
    if payload["availability"] == "online":
        services.queue_drain_for_agent(agent_id=payload["agent_id"])


def conversation_finished(name: str, payload: dict) -> None:
    if payload["new"] in (Status.SOLVED, Status.CLOSED):
        services.queue_drain_after_solve(conversation_id=payload["conversation_id"])


def assignment_changed(name: str, payload: dict) -> None:
    at: datetime = Event.objects.filter(pk=payload["event_id"]).values_list("created_at", flat=True).first()
    if at is not None:
        services.assignment_record(conversation_id=payload["conversation_id"], assignee_id=payload["assignee_id"], at=at)
