"""Domain events: a registry of named events, published after the surrounding transaction commits.

A service calls `publish("conversation.assigned", {...})`; subscribers registered in
`parley/subscriptions.py` run once the data they will read is committed. A subscriber
must be quick (push to a socket, enqueue a task): anything slow belongs in a task.
"""
import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

#: Every event, with the keys of its payload. Payloads carry ids and small scalars only.
EVENTS: dict[str, str] = {
    "conversation.created": "conversation_id, inbox_id, contact_id",
    "conversation.updated": "conversation_id, changes (field -> [old, new]), actor_id",
    "conversation.assigned": "conversation_id, assignee_id, team_id, actor_id",
    "conversation.status_changed": "conversation_id, old, new, actor_id",
    "conversation.merged": "conversation_id (kept), merged_id, actor_id",
    "message.received": "message_id, conversation_id, inbox_id, contact_id",
    "message.created": "message_id, conversation_id, kind, direction, actor_id",
    "message.delivery_changed": "message_id, conversation_id, status, reason",
    "agent.mentioned": "message_id, conversation_id, agent_id",
    "contact.merged": "contact_id (kept), merged_id, actor_id",
    "envelope.failed": "envelope_id, inbox_id, error",
}

Subscriber = Callable[[str, dict], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(name: str, subscriber: Subscriber) -> None:
    """Register `subscriber` for event `name` (call only from parley/subscriptions.py)."""
    if name not in EVENTS:
        raise KeyError(f"unknown event {name!r}")
    if subscriber not in _subscribers[name]:
        _subscribers[name].append(subscriber)


def publish(name: str, payload: dict) -> None:
    """Publish `name` once the current transaction commits (at once when none is open)."""
    if name not in EVENTS:
        raise KeyError(f"unknown event {name!r}")
    transaction.on_commit(lambda: dispatch(name, payload))


def dispatch(name: str, payload: dict) -> None:
    """Call every subscriber of `name`; one failing subscriber never stops the others."""
    for subscriber in list(_subscribers[name]):
        try:
            subscriber(name, payload)
        except Exception:
            logger.exception("subscriber %s failed on %s", getattr(subscriber, "__qualname__", subscriber), name)
