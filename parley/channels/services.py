"""Inbound envelopes: store the raw payload first, then process it (idempotently) in a worker."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox
from parley.core import actors, events, jobs
from parley.core.models import Job
from parley.core.errors import ApplicationError

#: Processing attempts before an envelope waits in the dead letter (a crash of the worker counts too).
MAX_PROCESS_ATTEMPTS = 5
RETRY_BASE_SECONDS = 10
PROCESS_QUEUE = "envelope.process"


def envelope_store(*, inbox: Inbox, external_id: str, payload: dict | None = None, raw: bytes | None = None) -> tuple[InboundEnvelope, bool]:
    """Store a raw inbound payload once per (inbox, external_id) and queue it; return (envelope, created).

    A second delivery of the same provider id returns the first envelope untouched, so
    provider retries and client double-posts never make a second message. The processing
    job is written in the same transaction: once this returns committed, the payload is safe
    whether or not any worker or broker is running. When jobs run eagerly (tests, scripts) the
    envelope returned is already processed.
    """
    if not external_id:
        raise ApplicationError("An inbound payload needs an id.", extra={"external_id": "required"}, status=422)
    try:
        with transaction.atomic():
            envelope = InboundEnvelope.objects.create(inbox=inbox, external_id=external_id[:255], payload=payload or {}, raw=raw)
            jobs.enqueue(PROCESS_QUEUE, envelope.pk)
    except IntegrityError:
        return InboundEnvelope.objects.get(inbox=inbox, external_id=external_id[:255]), False
    if settings.PARLEY_JOBS_EAGER:
        # The job ran as the transaction committed: return what processing made of the envelope.
        envelope.refresh_from_db()
    return envelope, True


def envelope_apply(*, envelope: InboundEnvelope):
    """Parse an envelope through its channel adapter and hand what it carries to the conversations."""
    from parley.conversations.services import message_receive

    inbound = envelope.inbox.adapter.parse(envelope)
    return None if inbound is None else message_receive(inbox=envelope.inbox, inbound=inbound)


def envelope_process(*, envelope_id: int) -> InboundEnvelope:
    """Process one stored envelope (the job handler); a processed envelope is left alone.

    The envelope row is locked, so two workers never process it at once. A failure rolls
    back everything the attempt wrote, is recorded on the envelope, and is raised for the job
    to retry; a malformed payload (ValueError, ApplicationError) will never parse, so it goes
    straight to the dead letter.
    """
    try:
        with transaction.atomic():
            envelope = InboundEnvelope.objects.select_for_update().select_related("inbox").get(pk=envelope_id)
            if envelope.status == EnvelopeStatus.PROCESSED:
                return envelope
            message = envelope_apply(envelope=envelope)
            envelope.status = EnvelopeStatus.PROCESSED
            envelope.message = message
            envelope.last_error = ""
            envelope.processed_at = timezone.now()
            envelope.save(update_fields=["status", "message", "last_error", "processed_at"])
            return envelope
    except InboundEnvelope.DoesNotExist:
        raise jobs.Permanent(f"envelope {envelope_id} no longer exists") from None
    except Exception as exc:  # recorded, then retried by the job: a bad payload must stay visible, not vanish
        error = f"{type(exc).__name__}: {exc}"[:4000]
        InboundEnvelope.objects.filter(pk=envelope_id).update(last_error=error)
        if isinstance(exc, (ValueError, ApplicationError)):
            raise jobs.Permanent(error) from exc
        raise


def envelope_dead(envelope_id: int, reason: str) -> None:
    """Mark an envelope failed once its job gave up, and say so (the job's dead-letter hook)."""
    with transaction.atomic():
        envelope = InboundEnvelope.objects.filter(pk=envelope_id).first()
        if envelope is None or envelope.status == EnvelopeStatus.PROCESSED:
            return
        envelope.status = EnvelopeStatus.FAILED
        envelope.last_error = envelope.last_error or reason[:4000]
        envelope.save(update_fields=["status", "last_error"])
        events.publish("envelope.failed", {"envelope_id": envelope.pk, "inbox_id": envelope.inbox_id, "error": envelope.last_error})


@transaction.atomic
def envelope_retry(*, envelope: InboundEnvelope, actor=None) -> InboundEnvelope:
    """Process a failed envelope again with a fresh set of attempts (an admin's "retry" button)."""
    InboundEnvelope.objects.filter(pk=envelope.pk, status=EnvelopeStatus.FAILED).update(status=EnvelopeStatus.RECEIVED)
    job = Job.objects.filter(queue=PROCESS_QUEUE, target_id=envelope.pk).first()
    if job is None:
        jobs.enqueue(PROCESS_QUEUE, envelope.pk)
    else:
        jobs.job_retry(job_id=job.pk, actor=actor)
    envelope.refresh_from_db()
    return envelope


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
    events.publish("inbox.created", {"inbox_id": inbox.pk, "kind": kind, "actor": actors.describe(actor)})
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
        events.publish("inbox.updated", {"inbox_id": inbox.pk, "fields": changed, "actor": actors.describe(actor)})
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


def conversation_acknowledge(*, conversation_id: int):
    """Queue the inbox's automatic acknowledgement of a new conversation, at most once.

    A durable subscriber of "conversation.created": it may run twice, so it looks for an
    acknowledgement first. A conversation opened by an automatic mail (an out-of-office
    reply) is not acknowledged, which would start a loop of robots answering each other.
    """
    from parley.conversations.models import Conversation, Direction
    from parley.conversations.services import message_auto_reply

    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().select_related("inbox").filter(pk=conversation_id).first()
        if conversation is None or conversation.messages.filter(metadata__automatic="acknowledgement").exists():
            return None
        first = conversation.messages.filter(direction=Direction.INBOUND).order_by("created_at", "id").first()
        if first is None or first.metadata.get("auto_reply"):
            return None
        text = conversation.inbox.adapter.acknowledgement(conversation)
        if not text:
            return None
        return message_auto_reply(conversation=conversation, text=text, reason="acknowledgement")
