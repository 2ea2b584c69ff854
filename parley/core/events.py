"""Domain events: typed, durable, and announced after the transaction that made them commits.

A service calls `publish("conversation.assigned", {...})` inside its transaction. The payload is
checked against the event's declared dataclass, and the event is written as a row in that same
transaction (a transactional outbox), so an event exists exactly when its change does.

Two kinds of subscriber, registered in `parley/subscriptions.py` and nowhere else:
- `subscribe(name, fn)` — live subscribers (the push to screens): called after commit, in the
  process that published, best effort. They must be quick.
- `subscribe_durable(name, key, fn)` — at-least-once subscribers (acknowledgements, SLA clocks,
  automations, outgoing webhooks): one job per event (queue "events") is queued in the same
  transaction, and a worker runs the event's durable subscribers one after another. A subscriber
  that fails gets a job of its own ("event:<key>") with retries and a dead letter (core.jobs);
  the others are done. They must be idempotent: a crash before the job completes runs them again.

Every payload carries "event_id" (the row's id) besides its declared fields, so a receiver can
recognise an event it already has. docs/events.md lists every event; a test keeps it in step.
"""
from __future__ import annotations

import functools
import logging
import types
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# --- the payloads ------------------------------------------------------------------------------------
# `actor` is {"kind": person|system|bot|rule|integration, "id": user id or None, "label": str}
# (core.actors.describe). Payloads carry ids and small scalars: subscribers read the rest.


@dataclass(frozen=True)
class ConversationCreated:
    """A conversation was opened, by a channel, an agent, the API or the importer."""
    conversation_id: int
    inbox_id: int
    contact_id: int
    actor: dict


@dataclass(frozen=True)
class ConversationUpdated:
    """Fields changed: `changes` maps each field to [old, new] (priority, type, subject, tags, tier, custom fields…)."""
    conversation_id: int
    changes: dict
    actor: dict


@dataclass(frozen=True)
class ConversationAssigned:
    """The assignee or the team changed (None: nobody)."""
    conversation_id: int
    assignee_id: int | None
    team_id: int | None
    actor: dict


@dataclass(frozen=True)
class ConversationStatusChanged:
    """The status moved (new, open, pending, on_hold, solved, closed)."""
    conversation_id: int
    old: str
    new: str
    actor: dict


@dataclass(frozen=True)
class ConversationMerged:
    """`merged_id` was merged into `conversation_id`, which keeps every message."""
    conversation_id: int
    merged_id: int
    actor: dict


@dataclass(frozen=True)
class ConversationLinked:
    """Two conversations were marked as related."""
    conversation_id: int
    other_id: int
    actor: dict


@dataclass(frozen=True)
class ConversationDeleted:
    """A conversation was deleted for good, with its messages."""
    conversation_id: int
    inbox_id: int
    contact_id: int
    actor: dict


@dataclass(frozen=True)
class MessageReceived:
    """A customer's message was stored in a conversation."""
    message_id: int
    conversation_id: int
    inbox_id: int
    contact_id: int


@dataclass(frozen=True)
class MessageCreated:
    """An agent, the bot, a rule or the system added a reply, a note or a timeline event."""
    message_id: int
    conversation_id: int
    kind: str
    direction: str
    actor: dict


@dataclass(frozen=True)
class MessageDeliveryChanged:
    """An outbound message's delivery status moved (sent, delivered, read, failed) or was queued again."""
    message_id: int
    conversation_id: int
    status: str
    reason: str


@dataclass(frozen=True)
class AgentMentioned:
    """An internal note @mentioned an agent."""
    message_id: int
    conversation_id: int
    agent_id: int


@dataclass(frozen=True)
class AgentAvailabilityChanged:
    """An agent went online, away or offline."""
    agent_id: int
    availability: str


@dataclass(frozen=True)
class AgentNotified:
    """An agent got a notification (an assignment, a customer message on their conversation); `kind` says which."""
    agent_id: int
    notification_id: int
    conversation_id: int
    kind: str
    text: str


@dataclass(frozen=True)
class AgentUpdated:
    """An admin invited, deactivated or reactivated an agent, or changed their teams; `fields` names what changed."""
    agent_id: int
    fields: list
    actor: dict


@dataclass(frozen=True)
class ContactUpdated:
    """A contact's details changed; `fields` names them (values may be personal data), "email_status" included."""
    contact_id: int
    fields: list
    actor: dict


@dataclass(frozen=True)
class ContactMerged:
    """`merged_id` was merged into `contact_id`, which keeps every identity and conversation."""
    contact_id: int
    merged_id: int
    actor: dict


@dataclass(frozen=True)
class InboxCreated:
    """An inbox of a channel kind was added."""
    inbox_id: int
    kind: str
    actor: dict


@dataclass(frozen=True)
class InboxUpdated:
    """An inbox's settings changed; `fields` names them (never secret values)."""
    inbox_id: int
    fields: list
    actor: dict


@dataclass(frozen=True)
class EnvelopeFailed:
    """An inbound payload could not be processed; it is retried, then waits in the dead letter."""
    envelope_id: int
    inbox_id: int
    error: str


@dataclass(frozen=True)
class CallUpdated:
    """A phone call was logged or moved on (answered, abandoned, voicemail, call-back, ended, annotated)."""
    call_id: int
    inbox_id: int
    contact_id: int | None
    outcome: str


@dataclass(frozen=True)
class CalendarUpdated:
    """A business calendar's hours, time zone or holidays changed: SLA due times on it are computed again."""
    calendar_id: int
    actor: dict


@dataclass(frozen=True)
class SlaWarning:
    """An SLA target (first_response, next_response, resolution, periodic_update) is due soon."""
    conversation_id: int
    policy_id: int
    target: str
    due_at: str


@dataclass(frozen=True)
class SlaBreached:
    """An SLA target passed its due time unmet; the supervisors were told and the policy's escalation applied."""
    conversation_id: int
    policy_id: int
    target: str
    due_at: str


@dataclass(frozen=True)
class SurveyAnswered:
    """A customer answered a CSAT, NPS or CES survey (`conversation_id` is None for a campaign's NPS)."""
    survey_id: int
    kind: str
    score: int
    contact_id: int
    conversation_id: int | None


@dataclass(frozen=True)
class ArticleSaved:
    """A help-center article was created or changed (text, status, tags, section); `status` is draft or published."""
    article_id: int
    status: str
    actor: dict


@dataclass(frozen=True)
class BotHandedOver:
    """The bot passed a conversation to the team; `reason` is asked, low_confidence, unhelpful or upset."""
    conversation_id: int
    reason: str


#: Every event by name, with its payload's dataclass.
EVENTS: dict[str, type] = {
    "conversation.created": ConversationCreated,
    "conversation.updated": ConversationUpdated,
    "conversation.assigned": ConversationAssigned,
    "conversation.status_changed": ConversationStatusChanged,
    "conversation.merged": ConversationMerged,
    "conversation.linked": ConversationLinked,
    "conversation.deleted": ConversationDeleted,
    "message.received": MessageReceived,
    "message.created": MessageCreated,
    "message.delivery_changed": MessageDeliveryChanged,
    "agent.mentioned": AgentMentioned,
    "agent.availability_changed": AgentAvailabilityChanged,
    "agent.updated": AgentUpdated,
    "agent.notified": AgentNotified,
    "contact.updated": ContactUpdated,
    "contact.merged": ContactMerged,
    "inbox.created": InboxCreated,
    "inbox.updated": InboxUpdated,
    "envelope.failed": EnvelopeFailed,
    "call.updated": CallUpdated,
    "calendar.updated": CalendarUpdated,
    "sla.warning": SlaWarning,
    "sla.breached": SlaBreached,
    "survey.answered": SurveyAnswered,
    "article.saved": ArticleSaved,
    "bot.handed_over": BotHandedOver,
}


class PayloadError(TypeError):
    """A payload that does not match its event's declaration: a bug in the publishing service."""


def _matches(value, hint) -> bool:
    if isinstance(hint, types.UnionType):
        return any(_matches(value, option) for option in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


@functools.cache
def _declared_fields(name: str) -> dict:
    # Resolving the annotations took as long as storing the event; the declarations never change.
    return typing.get_type_hints(EVENTS[name])


def validate(name: str, payload: dict) -> None:
    """Raise PayloadError unless `payload` has exactly the declared fields of event `name`, with their types."""
    if name not in EVENTS:
        raise KeyError(f"unknown event {name!r}")
    fields = _declared_fields(name)
    given = set(payload) - {"event_id"}
    if given != set(fields):
        raise PayloadError(f"{name}: payload has {sorted(given)}, declared {sorted(fields)}")
    for key, annotation in fields.items():
        if not _matches(payload[key], annotation):
            raise PayloadError(f"{name}: {key}={payload[key]!r} is not {annotation}")


# --- subscribers -------------------------------------------------------------------------------------

Subscriber = Callable[[str, dict], None]
_live: dict[str, list[Subscriber]] = defaultdict(list)
#: event name -> {subscriber key -> fn}; the key names the job queue ("event:<key>").
_durable: dict[str, dict[str, Subscriber]] = defaultdict(dict)


def subscribe(name: str, subscriber: Subscriber) -> None:
    """Register a live subscriber for event `name` (call only from parley/subscriptions.py)."""
    if name not in EVENTS:
        raise KeyError(f"unknown event {name!r}")
    if subscriber not in _live[name]:
        _live[name].append(subscriber)


#: The queue of the job that takes an event to all its durable subscribers.
FAN_OUT_QUEUE = "events"


def subscribe_durable(name: str, key: str, subscriber: Subscriber) -> None:
    """Register an at-least-once subscriber under a stable `key` (call only from parley/subscriptions.py)."""
    from parley.core import jobs

    if name not in EVENTS:
        raise KeyError(f"unknown event {name!r}")
    queue = f"event:{key}"
    _durable[name][key] = subscriber
    try:
        jobs.handler_for(queue)
    except LookupError:
        jobs.handler(queue, max_attempts=8, backoff_seconds=15)(lambda event_id, key=key: deliver_durable(key, event_id))
    try:
        jobs.handler_for(FAN_OUT_QUEUE)
    except LookupError:
        jobs.handler(FAN_OUT_QUEUE, max_attempts=8, backoff_seconds=15)(deliver_to_all)


def publish(name: str, payload: dict) -> None:
    """Record event `name` in the current transaction; subscribers hear of it once it commits."""
    publish_many(name, [payload])


def publish_many(name: str, payloads: list[dict]) -> None:
    """Record several events of one kind with one insert each for events and jobs (a batch of assignments, say)."""
    from parley.core import jobs
    from parley.core.models import Event

    for payload in payloads:
        validate(name, payload)
    now = timezone.now()
    created = Event.objects.bulk_create([Event(name=name, payload=payload, created_at=now) for payload in payloads])
    if _durable.get(name):
        # One job per event, not per subscriber: each job costs a row, a claim and a read of the event.
        jobs.enqueue_many(FAN_OUT_QUEUE, [event.pk for event in created])
    for event, payload in zip(created, payloads):
        announced = {**payload, "event_id": event.pk}
        transaction.on_commit(lambda announced=announced: dispatch(name, announced))


def dispatch(name: str, payload: dict) -> None:
    """Call every live subscriber of `name`; one failing subscriber never stops the others."""
    for subscriber in list(_live[name]):
        try:
            subscriber(name, payload)
        except Exception:
            logger.exception("subscriber %s failed on %s", getattr(subscriber, "__qualname__", subscriber), name)


def deliver_to_all(event_id: int) -> None:
    """Run every durable subscriber on a stored event (the job handler of queue "events").

    A subscriber that fails is handed to a job of its own, which retries it alone with backoff and
    ends in the dead letter under its name; the subscribers that succeeded do not run again.
    """
    from parley.core import jobs
    from parley.core.models import Event

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    payload = {**event.payload, "event_id": event.pk}
    for key, subscriber in list(_durable[event.name].items()):
        try:
            subscriber(event.name, payload)
        except Exception as exc:  # one subscriber's failure must not cost the others their turn
            logger.warning("durable subscriber %s failed on %s #%s: %s", key, event.name, event.pk, exc)
            jobs.enqueue_failed(f"event:{key}", event.pk, exc)


def deliver_durable(key: str, event_id: int) -> None:
    """Run durable subscriber `key` on a stored event (the job handler of queue "event:<key>")."""
    from parley.core.models import Event

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    subscriber = _durable[event.name].get(key)
    if subscriber is not None:
        subscriber(event.name, {**event.payload, "event_id": event.pk})
