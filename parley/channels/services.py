"""Inbound envelopes: store the raw payload first, then process it (idempotently) in a worker."""
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox
from parley.core import events
from parley.core.errors import ApplicationError

MAX_PROCESS_ATTEMPTS = 5
RETRY_BASE_SECONDS = 10


def envelope_store(*, inbox: Inbox, external_id: str, payload: dict | None = None, raw: bytes | None = None) -> tuple[InboundEnvelope, bool]:
    """Store a raw inbound payload once per (inbox, external_id) and queue it; return (envelope, created).

    A second delivery of the same provider id returns the first envelope untouched, so
    provider retries and client double-posts never make a second message.
    """
    if not external_id:
        raise ApplicationError("An inbound payload needs an id.", extra={"external_id": "required"}, status=422)
    try:
        with transaction.atomic():
            envelope = InboundEnvelope.objects.create(inbox=inbox, external_id=external_id[:255], payload=payload or {}, raw=raw)
    except IntegrityError:
        return InboundEnvelope.objects.get(inbox=inbox, external_id=external_id[:255]), False
    from parley.channels import tasks

    transaction.on_commit(lambda: tasks.process_envelope.delay(envelope.pk))
    return envelope, True


def envelope_process(*, envelope_id: int) -> InboundEnvelope:
    """Parse an envelope through its channel adapter and hand it to message_receive.

    The envelope row is locked, so two workers never process it at once; a processed
    envelope is left alone. A failure is recorded on the envelope and retried later.
    """
    with transaction.atomic():
        envelope = InboundEnvelope.objects.select_for_update().select_related("inbox").get(pk=envelope_id)
        if envelope.status == EnvelopeStatus.PROCESSED:
            return envelope
        try:
            with transaction.atomic():
                message = envelope_apply(envelope=envelope)
        except Exception as exc:  # recorded and retried: a bad payload must stay visible, not vanish
            envelope.attempts += 1
            envelope.status = EnvelopeStatus.FAILED
            envelope.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            permanent = isinstance(exc, (ValueError, ApplicationError)) or envelope.attempts >= MAX_PROCESS_ATTEMPTS
            envelope.next_attempt_at = None if permanent else timezone.now() + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** envelope.attempts)
            envelope.save()
            events.publish("envelope.failed", {"envelope_id": envelope.pk, "inbox_id": envelope.inbox_id, "error": envelope.last_error})
            return envelope
        envelope.status = EnvelopeStatus.PROCESSED
        envelope.message = message
        envelope.last_error = ""
        envelope.next_attempt_at = None
        envelope.processed_at = timezone.now()
        envelope.save()
        return envelope


def envelope_retry(*, envelope: InboundEnvelope) -> InboundEnvelope:
    """Queue a failed envelope again at once (an admin's "retry" button)."""
    from parley.channels import tasks

    InboundEnvelope.objects.filter(pk=envelope.pk, status=EnvelopeStatus.FAILED).update(next_attempt_at=timezone.now())
    transaction.on_commit(lambda: tasks.process_envelope.delay(envelope.pk))
    return envelope


def envelopes_due(*, now=None) -> list[int]:
    """Return ids of envelopes to (re)process: failed ones whose retry time came, and stragglers."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=RETRY_BASE_SECONDS * 6)
    retry = InboundEnvelope.objects.filter(status=EnvelopeStatus.FAILED, next_attempt_at__lte=now)
    lost = InboundEnvelope.objects.filter(status=EnvelopeStatus.RECEIVED, received_at__lte=stale)
    return list((retry | lost).values_list("pk", flat=True)[:500])


@transaction.atomic
def inbox_create(*, name: str, kind: str, config: dict | None = None, default_team=None, greeting: str = "", actor=None) -> Inbox:
    """Create an inbox for a registered channel kind, checking its configuration."""
    from parley.channels.registry import get_adapter, kinds
    from parley.core.errors import ValidationFailed
    from parley.core.services import audit_record

    try:
        adapter = get_adapter(kind)
    except LookupError:
        raise ValidationFailed("Unknown channel kind.", extra={"kind": f"must be one of {', '.join(kinds())}"}) from None
    problems = adapter.validate_config(config or {})
    if problems:
        raise ValidationFailed("The inbox configuration is not valid.", extra=problems)
    inbox = Inbox.objects.create(name=name, kind=kind, config=config or {}, default_team=default_team, greeting=greeting)
    audit_record(actor=actor, action="inbox.created", target=inbox, changes={"kind": kind})
    return inbox


@transaction.atomic
def inbox_update(*, inbox: Inbox, actor, **fields) -> Inbox:
    """Change name, greeting, default team, active flag, or configuration keys (a None value removes a key)."""
    from parley.core.errors import ValidationFailed
    from parley.core.services import audit_record

    unknown = set(fields) - {"name", "config", "default_team", "greeting", "is_active"}
    if unknown:
        raise ValidationFailed("Unknown inbox fields.", extra={f: "unknown field" for f in sorted(unknown)})
    if "config" in fields:
        config = {**inbox.config, **fields["config"]}
        fields["config"] = {key: value for key, value in config.items() if value is not None}
        problems = inbox.adapter.validate_config(fields["config"])
        if problems:
            raise ValidationFailed("The inbox configuration is not valid.", extra=problems)
    # Configuration values may be credentials, so the audit log names changed keys, never values.
    changed = sorted(f for f, value in fields.items() if getattr(inbox, f) != value)
    for field, value in fields.items():
        setattr(inbox, field, value)
    if changed:
        inbox.save()
        audit_record(actor=actor, action="inbox.updated", target=inbox, changes={"fields": changed})
    return inbox


@transaction.atomic
def inbox_delete(*, inbox: Inbox, actor) -> None:
    """Delete an inbox that never had a conversation; one with history is deactivated instead."""
    from parley.core.errors import ValidationFailed
    from parley.core.services import audit_record

    if inbox.conversations.exists():
        raise ValidationFailed("This inbox has conversations; deactivate it instead (is_active: false).",
                               extra={"inbox": "has conversations"}, status=409)
    audit_record(actor=actor, action="inbox.deleted", target=inbox, changes={"name": inbox.name, "kind": inbox.kind})
    inbox.delete()


class ReportForUnknownMessage(Exception):
    """A delivery report names no message this inbox sent.

    Not a ValueError on purpose: the envelope is retried, because a fast provider can call
    back before the outbox has recorded the id the provider gave the message.
    """


def envelope_apply(*, envelope: InboundEnvelope):
    """Parse an envelope through its adapter and apply what it carries; return the first message received.

    Inbound messages go to message_receive, delivery reports to delivery_report_apply, in
    the order the provider sent them. Runs inside the caller's transaction.
    """
    from parley.channels.base import DeliveryReport, InboundMessage
    from parley.conversations.services import message_receive

    parsed = envelope.inbox.adapter.parse(envelope)
    items = parsed if isinstance(parsed, list) else [] if parsed is None else [parsed]
    first = None
    for item in items:
        if isinstance(item, InboundMessage):
            message = message_receive(inbox=envelope.inbox, inbound=item)
            first = first or message
        elif isinstance(item, DeliveryReport):
            if delivery_report_apply(inbox=envelope.inbox, report=item) is None:
                raise ReportForUnknownMessage(f"no message sent from this inbox has the provider id {item.external_id!r}")
        else:
            raise TypeError(f"{type(envelope.inbox.adapter).__name__}.parse returned {type(item).__name__}")
    return first


@transaction.atomic
def delivery_report_apply(*, inbox: Inbox, report):
    """Move the outbound message a provider reports on forward; return it, or None when no message has that id.

    Status only moves forward (see message_set_delivery): a late or repeated callback
    changes nothing and emits nothing.
    """
    from parley.conversations.models import Direction, Message
    from parley.conversations.services import message_set_delivery
    from parley.core.errors import ValidationFailed

    if not report.external_id:
        raise ValidationFailed("A delivery report needs the provider's message id.", extra={"external_id": "required"})
    message = (Message.objects.filter(conversation__inbox=inbox, direction=Direction.OUTBOUND, external_id=report.external_id)
               .select_related("conversation").first())
    if message is None:
        return None
    return message_set_delivery(message=message, status=report.status, reason=report.reason, at=report.at)
