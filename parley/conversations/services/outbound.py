"""Agents write (replies, notes); the outbox delivers replies through their channel."""
import re
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.models import User
from parley.accounts.permissions import require
from parley.accounts.selectors import mention_handles
from parley.channels.base import DeliveryError
from parley.conversations.models import Conversation, DeliveryStatus, Direction, Message, MessageKind, Notification, Status
from parley.conversations.services.actions import _apply_status, require_solvable
from parley.conversations.services.common import attachments_store, attachments_validate, event_message, preview_of
from parley.core import actors, events, jobs
from parley.core.actors import Actor
from parley.core.models import Job
from parley.core.errors import ValidationFailed
from parley.core.html import sanitize_html

MAX_DELIVERY_ATTEMPTS = 5
RETRY_BASE_SECONDS = 15
DELIVER_QUEUE = "message.deliver"
MENTION = re.compile(r"@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def _enqueue_delivery(message_id: int) -> None:
    # The job is written with the message: a reply is never queued without someone to deliver it.
    jobs.enqueue(DELIVER_QUEUE, message_id)


@transaction.atomic
def message_reply(*, conversation: Conversation, author: User | Actor, text: str, html: str = "", attachments=(),
                  status: str | None = None, created_at=None, cc: list[str] = (), bcc: list[str] = ()) -> Message:
    """Queue a public reply to the customer; `status` optionally moves the conversation too.

    `author` is the agent, or the bot or a rule (core.actors) answering on the team's behalf.
    `created_at` backdates the reply (imports and the demo replay history through here).
    `cc` and `bcc` copy this reply to more addresses, on channels that can (email).
    """
    require(author, "conversation.reply")
    if not text.strip() and not attachments:
        raise ValidationFailed(gettext("A reply needs text or an attachment."), extra={"text": "required"})
    attachments_validate(attachments)
    copies = {"cc": _addresses(cc, field="cc"), "bcc": _addresses(bcc, field="bcc")}
    adapter = conversation.inbox.adapter
    now = created_at or timezone.now()
    # Refused here, before anything is stored or queued: the agent edits the reply, nothing half-sends.
    refusals = adapter.capabilities.refusals(text=text, html=html, attachments=attachments, copies=any(copies.values()),
                                             last_inbound_at=conversation.last_inbound_at, now=now)
    if refusals:
        raise ValidationFailed(gettext("%(channel)s cannot carry this reply: %(problems)s.")
                               % {"channel": adapter.label, "problems": "; ".join(refusals.values())}, extra=refusals)
    if refusal := adapter.reply_refusal(conversation):
        raise ValidationFailed(gettext("This reply cannot be sent: %(reason)s.") % {"reason": refusal}, extra={"text": refusal},
                               status=409)
    metadata = {} if actors.is_person(author) else {"actor": actors.describe(author)}
    message = Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.REPLY,
        author=author if actors.is_person(author) else None, text=text, html=sanitize_html(html), created_at=now,
        delivery_status=DeliveryStatus.QUEUED if adapter.can_send else DeliveryStatus.SENT,
        sent_at=None if adapter.can_send else now, metadata={**metadata, **{k: v for k, v in copies.items() if v}},
    )
    attachments_store(message, attachments)
    conversation.first_response_at = conversation.first_response_at or now
    conversation.last_message_at = now
    conversation.outbound_count += 1
    conversation.preview = preview_of(text)
    if conversation.assignee_id is None and actors.is_person(author) and author.role != "light_agent":
        conversation.assignee = author
        event_message(conversation, f"{author} replied and was assigned this conversation.", actor=author, at=now,
                      data={"assignee": author.pk})
        events.publish("conversation.assigned", {"conversation_id": conversation.pk, "assignee_id": author.pk,
                                                 "team_id": conversation.team_id, "actor": actors.describe(author)})
    if status:
        if status not in Status.values:
            raise ValidationFailed(gettext("Unknown status."), extra={"status": f"must be one of {', '.join(Status.values)}"})
        require_solvable(conversation, status)
        _apply_status(conversation, status, actor=author, at=now)
    elif conversation.status == Status.NEW:
        _apply_status(conversation, Status.OPEN, actor=author, at=now)
    conversation.save()
    if adapter.can_send:
        _enqueue_delivery(message.pk)
    events.publish("message.created", {"message_id": message.pk, "conversation_id": conversation.pk, "kind": message.kind,
                                       "direction": message.direction, "actor": actors.describe(author)})
    return message


@transaction.atomic
def message_auto_reply(*, conversation: Conversation, text: str, reason: str, actor: Actor = actors.SYSTEM,
                       data: dict | None = None) -> Message:
    """Queue an automatic answer (an acknowledgement, say): sent through the outbox like any reply.

    It is marked automatic (mail carries Auto-Submitted) and is not a response: it leaves the
    first-response time, the status and the assignee as they were. `data` is kept in its metadata
    for the channels that show more than text (the chat widget draws a survey as a card).
    """
    message = Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.REPLY, text=text,
        delivery_status=DeliveryStatus.QUEUED, created_at=timezone.now(),
        metadata={**(data or {}), "automatic": reason, "actor": actors.describe(actor)},
    )
    _enqueue_delivery(message.pk)
    events.publish("message.created", {"message_id": message.pk, "conversation_id": conversation.pk, "kind": message.kind,
                                       "direction": message.direction, "actor": actors.describe(actor)})
    return message


def _mentioned_agents(text: str) -> list[User]:
    """Return agents named by @first-name, @first.last or @email in `text`."""
    handles = {h.lower().rstrip(".") for h in MENTION.findall(text)}
    if not handles:
        return []
    return [agent for agent in User.objects.filter(is_active=True) if handles & mention_handles(agent)]


def _addresses(addresses, *, field: str) -> list[str]:
    """Return the email addresses, lower-cased and once each; refuse one that is not an address."""
    cleaned = []
    for address in addresses:
        address = address.strip().lower()
        try:
            validate_email(address)
        except DjangoValidationError:
            raise ValidationFailed(gettext("“%(address)s” is not an email address.") % {"address": address},
                                   extra={field: f"{address}: not an email address"}) from None
        if address not in cleaned:
            cleaned.append(address)
    return cleaned


@transaction.atomic
def message_note(*, conversation: Conversation, author: User | Actor, text: str, attachments=(), created_at=None) -> Message:
    """Add an internal note; @mentioned agents are notified. Customers never see notes.

    `author` is an agent, or a rule or the bot (core.actors) writing for the team.
    """
    require(author, "conversation.note")
    if not text.strip():
        raise ValidationFailed(gettext("A note needs text."), extra={"text": "required"})
    attachments_validate(attachments)
    person = actors.is_person(author)
    message = Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, kind=MessageKind.NOTE, author=author if person else None,
        text=text, delivery_status=DeliveryStatus.SENT, created_at=created_at or timezone.now(),
        metadata={} if person else {"actor": actors.describe(author)},
    )
    attachments_store(message, attachments)
    mentioned = [a for a in _mentioned_agents(text) if a.pk != author.pk]
    message.mentions.set(mentioned)
    from parley.desk.selectors import notification_preferences

    for agent in mentioned:
        if not notification_preferences(agent=agent).mention:
            continue
        Notification.objects.create(recipient=agent, conversation=conversation, message=message, kind="mention",
                                    text=f"{author} mentioned you on #{conversation.pk}: {preview_of(text)[:120]}")
        events.publish("agent.mentioned", {"message_id": message.pk, "conversation_id": conversation.pk, "agent_id": agent.pk})
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    events.publish("message.created", {"message_id": message.pk, "conversation_id": conversation.pk, "kind": message.kind,
                                       "direction": message.direction, "actor": actors.describe(author)})
    return message


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; return how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def message_deliver(*, message_id: int) -> str:
    """Send one queued message through its channel (the outbox job's handler).

    The job's claim (a lease, committed before this runs) keeps other workers off the message,
    so the provider is called outside any database transaction: a slow provider holds no lock
    and no connection. The result is recorded in a new transaction, and only while the message
    is still queued. A transient failure is raised for the job to retry with backoff; a
    permanent one goes to the dead letter, whose hook marks the reply failed. Adapters derive
    provider-facing ids from the message (an email's Message-ID, a callback's idempotency key),
    so a resend after a crash is recognisably the same message.
    """
    message = Message.objects.select_related("conversation__inbox", "conversation__contact", "author").filter(pk=message_id).first()
    if message is None or message.delivery_status != DeliveryStatus.QUEUED:
        return message.delivery_status if message else "missing"
    try:
        result = message.conversation.inbox.adapter.send(message)
    except DeliveryError as exc:
        Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.QUEUED).update(failure_reason=exc.reason[:2000])
        if exc.permanent:
            raise jobs.Permanent(exc.reason) from exc
        raise
    with transaction.atomic():
        sent = Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.QUEUED).update(
            delivery_status=result.status or DeliveryStatus.SENT, external_id=result.external_id or message.external_id,
            sent_at=timezone.now(), failure_reason="")
        if sent:
            events.publish("message.delivery_changed", {"message_id": message.pk, "conversation_id": message.conversation_id,
                                                        "status": result.status or DeliveryStatus.SENT, "reason": ""})
    return result.status or DeliveryStatus.SENT


def message_delivery_dead(message_id: int, reason: str) -> None:
    """Mark a reply failed once its delivery gave up, visibly on the conversation (the outbox's dead-letter hook)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, delivery_status=DeliveryStatus.QUEUED).first()
        if message is None:
            return
        message.delivery_status = DeliveryStatus.FAILED
        message.failure_reason = reason[:2000]
        message.save(update_fields=["delivery_status", "failure_reason"])
        attempts = Job.objects.filter(queue=DELIVER_QUEUE, target_id=message_id).values_list("attempts", flat=True).first() or 1
        event_message(message.conversation, f"Reply could not be delivered after {attempts} attempt(s): {reason}",
                      data={"failed_message_id": message.pk})
        events.publish("message.delivery_changed", {"message_id": message.pk, "conversation_id": message.conversation_id,
                                                    "status": DeliveryStatus.FAILED, "reason": reason[:2000]})


def message_requeue(message_id: int) -> None:
    """Put a failed reply back in the queue (the outbox job's retry hook); the job then sends it."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, delivery_status=DeliveryStatus.FAILED).first()
        if message is None:
            return
        message.delivery_status = DeliveryStatus.QUEUED
        message.failure_reason = ""
        message.save(update_fields=["delivery_status", "failure_reason"])
        events.publish("message.delivery_changed", {"message_id": message.pk, "conversation_id": message.conversation_id,
                                                    "status": DeliveryStatus.QUEUED, "reason": ""})


@transaction.atomic
def message_resend(*, message: Message, actor) -> Message:
    """Send a failed reply again with a fresh set of attempts (the "send again" on a failed reply)."""
    require(actor, "conversation.reply")
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.direction != Direction.OUTBOUND or message.delivery_status != DeliveryStatus.FAILED:
        raise ValidationFailed(gettext("Only a failed reply can be sent again."), extra={"message": message.delivery_status}, status=409)
    jobs.job_requeue(queue=DELIVER_QUEUE, target_id=message.pk, actor=actor)
    event_message(message.conversation, f"{actor} sent a failed reply again.", actor=actor, data={"resent_message_id": message.pk})
    message.refresh_from_db()
    return message


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
        raise ValidationFailed(gettext("Unknown delivery status."),
                               extra={"status": f"must be one of {', '.join([*_DELIVERY_ORDER, DeliveryStatus.FAILED])}"})
    if message.direction != Direction.OUTBOUND:
        raise ValidationFailed(gettext("Only outbound messages have a delivery status to report."), extra={"message": "inbound"})
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
                                       "direction": note.direction, "actor": actors.describe(None)})
    return note


@transaction.atomic
def message_complaint_record(*, message: Message, recipient: str, feedback_type: str) -> Message:
    """Record that the recipient reported a sent reply as spam: marked on the reply and noted on its conversation.

    Idempotent: providers send the same report more than once.
    """
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.metadata.get("complaint"):
        return locked
    locked.metadata = {**locked.metadata, "complaint": {"recipient": recipient, "feedback_type": feedback_type,
                                                        "at": timezone.now().isoformat()}}
    locked.save(update_fields=["metadata"])
    note = event_message(locked.conversation, f"{recipient or 'The recipient'} reported this reply as spam "
                                              f"({feedback_type}); the address is marked as unsubscribed.",
                         data={"complained_message_id": locked.pk})
    events.publish("message.created", {"message_id": note.pk, "conversation_id": locked.conversation_id, "kind": note.kind,
                                       "direction": note.direction, "actor": actors.describe(None)})
    return locked
