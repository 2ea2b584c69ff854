"""Agents write (replies, notes); the outbox delivers replies through their channel."""
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.permissions import require
from parley.channels.base import DeliveryError
from parley.conversations.models import Conversation, DeliveryStatus, Direction, Message, MessageKind, Notification, Status
from parley.conversations.services.actions import _apply_status
from parley.conversations.services.common import attachments_store, attachments_validate, event_message, preview_of
from parley.core import events
from parley.core.errors import ValidationFailed
from parley.core.html import sanitize_html

MAX_DELIVERY_ATTEMPTS = 5
RETRY_BASE_SECONDS = 15
_MENTION = re.compile(r"@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def _enqueue_delivery(message_id: int) -> None:
    from parley.conversations import tasks

    transaction.on_commit(lambda: tasks.deliver_message.delay(message_id))


@transaction.atomic
def message_reply(*, conversation: Conversation, author: User, text: str, html: str = "", attachments=(),
                  status: str | None = None, created_at=None) -> Message:
    """Queue a public reply to the customer; `status` optionally moves the conversation too.

    `created_at` backdates the reply (imports and the demo replay history through here).
    """
    require(author, "conversation.reply")
    if not text.strip() and not attachments:
        raise ValidationFailed("A reply needs text or an attachment.", extra={"text": "required"})
    attachments_validate(attachments)
    adapter = conversation.inbox.adapter
    now = created_at or timezone.now()
    # Refused here, before anything is stored or queued: the agent edits the reply, nothing half-sends.
    refusals = adapter.capabilities.refusals(text=text, html=html, attachments=attachments,
                                             last_inbound_at=conversation.last_inbound_at, now=now)
    if refusals:
        raise ValidationFailed(f"{adapter.label} cannot carry this reply: {'; '.join(refusals.values())}.", extra=refusals)
    message = Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.REPLY, author=author,
        text=text, html=sanitize_html(html), created_at=now,
        delivery_status=DeliveryStatus.QUEUED if adapter.can_send else DeliveryStatus.SENT,
        sent_at=None if adapter.can_send else now,
    )
    attachments_store(message, attachments)
    conversation.first_response_at = conversation.first_response_at or now
    conversation.last_message_at = now
    conversation.outbound_count += 1
    conversation.preview = preview_of(text)
    if conversation.assignee_id is None and author.role != "light_agent":
        conversation.assignee = author
    if status:
        if status not in Status.values:
            raise ValidationFailed("Unknown status.", extra={"status": f"must be one of {', '.join(Status.values)}"})
        _apply_status(conversation, status, actor=author, at=now)
    elif conversation.status == Status.NEW:
        _apply_status(conversation, Status.OPEN, actor=author, at=now)
    conversation.save()
    if adapter.can_send:
        _enqueue_delivery(message.pk)
    events.publish("message.created", {"message_id": message.pk, "conversation_id": conversation.pk, "kind": message.kind,
                                       "direction": message.direction, "actor_id": author.pk})
    return message


def _mentioned_agents(text: str) -> list[User]:
    """Return agents named by @first-name, @first.last or @email in `text`."""
    handles = {h.lower().rstrip(".") for h in _MENTION.findall(text)}
    if not handles:
        return []
    found = []
    for agent in User.objects.filter(is_active=True):
        first = agent.name.split()[0].lower() if agent.name else ""
        dotted = ".".join(agent.name.lower().split())
        if handles & {agent.email, agent.email.split("@")[0], first, dotted}:
            found.append(agent)
    return found


@transaction.atomic
def message_note(*, conversation: Conversation, author: User, text: str, attachments=(), created_at=None) -> Message:
    """Add an internal note; @mentioned agents are notified. Customers never see notes."""
    require(author, "conversation.note")
    if not text.strip():
        raise ValidationFailed("A note needs text.", extra={"text": "required"})
    attachments_validate(attachments)
    message = Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.NOTE, author=author, text=text,
        delivery_status=DeliveryStatus.SENT, created_at=created_at or timezone.now(),
    )
    attachments_store(message, attachments)
    mentioned = [a for a in _mentioned_agents(text) if a.pk != author.pk]
    message.mentions.set(mentioned)
    for agent in mentioned:
        Notification.objects.create(recipient=agent, conversation=conversation, message=message, kind="mention",
                                    text=f"{author} mentioned you on #{conversation.pk}: {preview_of(text)[:120]}")
        events.publish("agent.mentioned", {"message_id": message.pk, "conversation_id": conversation.pk, "agent_id": agent.pk})
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    events.publish("message.created", {"message_id": message.pk, "conversation_id": conversation.pk, "kind": message.kind,
                                       "direction": message.direction, "actor_id": author.pk})
    return message


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; return how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def message_deliver(*, message_id: int) -> str:
    """Send one queued message through its channel; transient failures wait for the next sweep.

    The row is locked for the attempt so two workers never send the same message twice.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("conversation__inbox").filter(pk=message_id).first()
        if message is None or message.delivery_status != DeliveryStatus.QUEUED:
            return message.delivery_status if message else "missing"
        message.attempts += 1
        try:
            result = message.conversation.inbox.adapter.send(message)
        except DeliveryError as exc:
            return _delivery_failed(message, exc.reason, permanent=exc.permanent)
        except Exception as exc:  # a bug or an outage in an adapter must not lose the message
            return _delivery_failed(message, f"{type(exc).__name__}: {exc}", permanent=False)
        message.delivery_status = result.status or DeliveryStatus.SENT
        message.external_id = result.external_id or message.external_id
        message.sent_at = timezone.now()
        message.next_attempt_at = None
        message.failure_reason = ""
        message.save()
        events.publish("message.delivery_changed", {"message_id": message.pk, "conversation_id": message.conversation_id,
                                                    "status": message.delivery_status, "reason": ""})
        return message.delivery_status


def _delivery_failed(message: Message, reason: str, *, permanent: bool) -> str:
    message.failure_reason = reason[:2000]
    if permanent or message.attempts >= MAX_DELIVERY_ATTEMPTS:
        message.delivery_status = DeliveryStatus.FAILED
        message.next_attempt_at = None
        message.save()
        event_message(message.conversation, f"Reply could not be delivered after {message.attempts} attempt(s): {reason}",
                      data={"failed_message_id": message.pk})
        events.publish("message.delivery_changed", {"message_id": message.pk, "conversation_id": message.conversation_id,
                                                    "status": DeliveryStatus.FAILED, "reason": reason})
        return DeliveryStatus.FAILED
    message.next_attempt_at = timezone.now() + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (message.attempts - 1))
    message.save()
    return DeliveryStatus.QUEUED


# Forward order of an outbound message's delivery; failed is terminal and may only follow queued or sent.
_DELIVERY_ORDER = {DeliveryStatus.QUEUED: 0, DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3}


def delivery_moves_forward(current: str, new: str) -> bool:
    """Tell whether a message whose delivery is `current` may move to `new` (never back, never out of failed)."""
    if new == current or current == DeliveryStatus.FAILED:
        return False
    if new == DeliveryStatus.FAILED:
        return current in (DeliveryStatus.QUEUED, DeliveryStatus.SENT)
    return _DELIVERY_ORDER.get(new, -1) > _DELIVERY_ORDER.get(current, -1)


@transaction.atomic
def message_set_delivery(*, message: Message, status: str, reason: str = "", at=None) -> Message:
    """Record a provider's word on an outbound message (sent, delivered, read, failed), moving it forward only.

    Providers call back out of order and more than once: a status at or behind the current
    one changes nothing and emits nothing. A failure is shown on the conversation.
    """
    if status not in _DELIVERY_ORDER and status != DeliveryStatus.FAILED:
        raise ValidationFailed("Unknown delivery status.",
                               extra={"status": f"must be one of {', '.join([*_DELIVERY_ORDER, DeliveryStatus.FAILED])}"})
    if message.direction != Direction.OUTBOUND:
        raise ValidationFailed("Only outbound messages have a delivery status to report.", extra={"message": "inbound"})
    # Locked so two callbacks racing for the same message cannot both move it (and both emit).
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if not delivery_moves_forward(locked.delivery_status, status):
        message.delivery_status, message.failure_reason = locked.delivery_status, locked.failure_reason
        return message
    at = at or timezone.now()
    locked.delivery_status = status
    locked.failure_reason = reason if status == DeliveryStatus.FAILED else locked.failure_reason
    locked.sent_at = locked.sent_at or (at if status != DeliveryStatus.FAILED else None)
    locked.metadata = {**locked.metadata, "delivery": {**locked.metadata.get("delivery", {}), status: at.isoformat()}}
    locked.save(update_fields=["delivery_status", "failure_reason", "sent_at", "metadata"])
    if status == DeliveryStatus.FAILED:
        event_message(locked.conversation, f"Reply could not be delivered: {reason or 'no reason given'}",
                      data={"failed_message_id": locked.pk})
    events.publish("message.delivery_changed", {"message_id": locked.pk, "conversation_id": locked.conversation_id,
                                                "status": status, "reason": locked.failure_reason})
    for name in ("delivery_status", "failure_reason", "sent_at", "metadata"):
        setattr(message, name, getattr(locked, name))
    return message


@transaction.atomic
def message_delivery_delayed(*, message: Message, recipient: str, reason: str) -> Message:
    """Note on the timeline that delivery of a sent reply is delayed; the reply keeps its status meanwhile."""
    note = event_message(message.conversation, f"Delivery to {recipient} is delayed: {reason}",
                         data={"delayed_message_id": message.pk})
    events.publish("message.created", {"message_id": note.pk, "conversation_id": message.conversation_id, "kind": note.kind,
                                       "direction": note.direction, "actor_id": None})
    return note


def outbox_due(*, now=None) -> list[int]:
    """Return ids of queued messages whose retry time has come (or that never got a task)."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=RETRY_BASE_SECONDS * 4)
    due = Message.objects.filter(delivery_status=DeliveryStatus.QUEUED, direction=Direction.OUTBOUND)
    retry = due.filter(next_attempt_at__lte=now)
    never_tried = due.filter(next_attempt_at__isnull=True, attempts=0, created_at__lte=stale)
    return list((retry | never_tried).values_list("pk", flat=True)[:500])
