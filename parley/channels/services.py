"""Inbound envelopes: store the raw payload first, then process it (idempotently) in a worker."""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from parley.channels.base import InboundMessage
from parley.channels.config import (config_changes, config_merge, config_plain, config_reencrypted, config_sealed,
                                    config_validate)
from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox, InboxAddress
from parley.core import actors, events, jobs
from parley.core.errors import ApplicationError, ValidationFailed
from parley.core.i18n import in_language_of
from parley.core.rows import insert_unless_exists
from parley.core.services import audit_record

#: Processing attempts before an envelope waits in the dead letter (a crash of the worker counts too).
MAX_PROCESS_ATTEMPTS = 5
RETRY_BASE_SECONDS = 10
PROCESS_QUEUE = "envelope.process"
#: What makes an envelope a repeat: a provider's id within its inbox.
ENVELOPE_UNIQUE = ("inbox", "external_id")
#: The payload key of an envelope that holds an InboundMessage already (envelope_store_inbound).
INBOUND_KEY = "parley_inbound"


def envelope_store(*, inbox: Inbox, external_id: str, payload: dict | None = None, raw: bytes | None = None) -> tuple[InboundEnvelope, bool]:
    """Store a raw inbound payload once per (inbox, external_id) and queue it; return (envelope, created).

    A second delivery of the same provider id returns the first envelope untouched, so
    provider retries and client double-posts never make a second message. The processing
    job is written in the same transaction: once this returns committed, the payload is safe
    whether or not any worker or broker is running. When jobs run eagerly (tests, scripts) the
    envelope returned is already processed.
    """
    if not external_id:
        raise ApplicationError(gettext("An inbound payload needs an id."), extra={"external_id": "required"}, status=422)
    envelope = InboundEnvelope(inbox=inbox, external_id=external_id[:255], payload=payload or {}, raw=raw)
    with transaction.atomic(savepoint=False):
        if not insert_unless_exists(envelope, unique=ENVELOPE_UNIQUE):
            return InboundEnvelope.objects.get(inbox=inbox, external_id=envelope.external_id), False
        jobs.enqueue(PROCESS_QUEUE, envelope.pk)
    if settings.PARLEY_JOBS_EAGER:
        # The job ran as the transaction committed: return what processing made of the envelope.
        envelope.refresh_from_db()
    return envelope, True


def envelope_store_inbound(*, inbox: Inbox, inbound: InboundMessage) -> tuple[InboundEnvelope, bool]:
    """Store a message that is already in channel-neutral form (the portal's replies) as an envelope.

    It travels the same path as any channel's payload, stored first and processed by a worker,
    so a double submission (the same external id) makes one message.
    """
    return envelope_store(inbox=inbox, external_id=inbound.external_id, payload={INBOUND_KEY: inbound.to_payload()})


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
        error, for_the_job = _processing_failure(exc)
        InboundEnvelope.objects.filter(pk=envelope_id).update(last_error=error)
        if for_the_job is not exc:
            raise for_the_job from exc
        raise


def _processing_failure(exc: Exception) -> tuple[str, Exception]:
    """Return what a failed attempt records on its envelope, and the failure its job is given.

    A malformed payload (ValueError, ApplicationError) will never parse: the job gives up on it at once.
    """
    error = f"{type(exc).__name__}: {exc}"[:4000]
    return error, jobs.Permanent(error) if isinstance(exc, (ValueError, ApplicationError)) else exc


def envelope_receive_now(*, inbox: Inbox, external_id: str, payload: dict) -> InboundEnvelope:
    """Store an inbound payload and process it in one transaction, for a sender that waits for the answer (chat).

    Nothing is committed before the message is made, so a crash loses only what the sender resends
    (the widget keeps a message until it is acknowledged), and no job is left for a worker to find
    done. Should processing fail, the envelope is kept with the error and its job retries it, as for
    envelope_process; the error is raised. A repeated id gets the first envelope, processed if it can be.
    """
    external_id = external_id[:255]
    envelope = InboundEnvelope(inbox=inbox, external_id=external_id, payload=payload)
    with transaction.atomic():
        if not insert_unless_exists(envelope, unique=ENVELOPE_UNIQUE):
            envelope = InboundEnvelope.objects.get(inbox=inbox, external_id=external_id)
            return envelope if envelope.status == EnvelopeStatus.PROCESSED else envelope_process(envelope_id=envelope.pk)
        try:
            with transaction.atomic():
                message = envelope_apply(envelope=envelope)
        except Exception as exc:
            envelope.last_error, for_the_job = _processing_failure(exc)
            envelope.save(update_fields=["last_error"])
            jobs.enqueue_failed(PROCESS_QUEUE, envelope.pk, for_the_job)
            failed = exc
        else:
            envelope.status, envelope.message, envelope.processed_at = EnvelopeStatus.PROCESSED, message, timezone.now()
            envelope.save(update_fields=["status", "message", "processed_at"])
            return envelope
    raise failed


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


def envelope_requeue(envelope_id: int) -> None:
    """Put a failed envelope back to be processed (its job's retry hook)."""
    InboundEnvelope.objects.filter(pk=envelope_id, status=EnvelopeStatus.FAILED).update(status=EnvelopeStatus.RECEIVED)


@transaction.atomic
def envelope_retry(*, envelope: InboundEnvelope, actor=None) -> InboundEnvelope:
    """Process a failed envelope again with a fresh set of attempts (an admin's "retry" button)."""
    jobs.job_requeue(queue=PROCESS_QUEUE, target_id=envelope.pk, actor=actor)
    envelope.refresh_from_db()
    return envelope


def _addresses_sync(inbox: Inbox, config: dict) -> None:
    """Make the address index hold exactly the addresses of `config`; refuse (409) one another inbox has."""
    wanted = {(a.kind, a.value): a.field for a in inbox.adapter.addresses(config)}
    taken = (InboxAddress.objects.filter(kind__in={kind for kind, _ in wanted}, address__in={value for _, value in wanted})
             .exclude(inbox=inbox).select_related("inbox"))
    problems = {}
    for other in taken:
        if (other.kind, other.address) in wanted:
            problems.setdefault(wanted[other.kind, other.address], f"{other.address} is already an address of the inbox “{other.inbox}”")
    if problems:
        raise ValidationFailed(gettext("Another inbox already receives on this address."), extra=problems, status=409)
    current = set(inbox.addresses.values_list("kind", "address"))
    stale = current - wanted.keys()
    for kind, address in stale:
        InboxAddress.objects.filter(inbox=inbox, kind=kind, address=address).delete()
    try:
        # The savepoint turns a concurrent claim of the same address into the same 409, not a broken transaction.
        with transaction.atomic():
            InboxAddress.objects.bulk_create([InboxAddress(inbox=inbox, kind=kind, address=address)
                                              for kind, address in wanted.keys() - current])
    except IntegrityError:
        raise ValidationFailed(gettext("Another inbox already receives on this address."),
                               extra={field: "is already an address of another inbox" for field in set(wanted.values())},
                               status=409) from None


@transaction.atomic
def inbox_create(*, name: str, kind: str, config: dict | None = None, default_team=None, greeting: str = "", actor=None) -> Inbox:
    """Create an inbox for a registered channel kind with its configuration checked, secrets encrypted and addresses indexed."""
    from parley.channels.registry import get_adapter, kinds

    try:
        adapter = get_adapter(kind)
    except LookupError:
        raise ValidationFailed(gettext("Unknown channel kind."), extra={"kind": f"must be one of {', '.join(kinds())}"}) from None
    schema = adapter.config_schema
    plain = config_validate(schema=schema, config=config_merge(schema=schema, stored={}, changes=config or {}))
    inbox = Inbox.objects.create(name=name, kind=kind, config=config_sealed(schema=schema, config=plain),
                                 default_team=default_team, greeting=greeting)
    _addresses_sync(inbox, plain)
    audit_record(actor=actor, action="inbox.created", target=inbox,
                 changes={"kind": kind, "config": config_changes(schema=schema, before={}, after=plain)})
    events.publish("inbox.created", {"inbox_id": inbox.pk, "kind": kind, "actor": actors.describe(actor)})
    return inbox


@transaction.atomic
def inbox_update(*, inbox: Inbox, actor, **fields) -> Inbox:
    """Change name, greeting, default team, active flag, or configuration keys.

    `config` holds the keys to change: a None value removes a key, keys left out stay, and a
    secret left out of a section (or sent as the mask, or blank) keeps its stored value.
    """
    unknown = set(fields) - {"name", "config", "default_team", "greeting", "is_active"}
    if unknown:
        raise ValidationFailed(gettext("Unknown inbox fields."), extra={f: "unknown field" for f in sorted(unknown)})
    changes: dict = {}
    if "config" in fields:
        schema = inbox.adapter.config_schema
        before = config_plain(inbox)
        plain = config_validate(schema=schema, config=config_merge(schema=schema, stored=before, changes=fields.pop("config") or {}))
        if plain != before:
            changes["config"] = config_changes(schema=schema, before=before, after=plain)
            _addresses_sync(inbox, plain)
            inbox.config = config_sealed(schema=schema, config=plain)
    changed = sorted(f for f, value in fields.items() if getattr(inbox, f) != value)
    for field, value in fields.items():
        setattr(inbox, field, value)
    if changed or changes:
        inbox.save()
        # Secrets appear in the audit log as the mask only: the log is readable by more people than the credentials.
        audit_record(actor=actor, action="inbox.updated", target=inbox,
                     changes={"fields": sorted([*changed, *changes]), **changes})
        events.publish("inbox.updated", {"inbox_id": inbox.pk, "fields": sorted([*changed, *changes]),
                                         "actor": actors.describe(actor)})
    return inbox


@transaction.atomic
def inbox_secrets_rotate() -> int:
    """Re-encrypt every stored inbox secret with the first key of PARLEY_ENCRYPTION_KEYS; return how many inboxes changed.

    Plaintext secrets (stored before encryption) are encrypted on the way. Run it after putting a
    new key first; the old key can be dropped once it has run everywhere the database is used.
    """
    from parley.channels.registry import get_adapter

    rotated = 0
    for inbox in Inbox.objects.select_for_update().order_by("pk"):
        stored = config_reencrypted(inbox.config or {})
        try:
            stored = config_sealed(schema=get_adapter(inbox.kind).config_schema, config=stored)
        except LookupError:
            pass  # a kind whose package is not installed any more: its encrypted values are still rotated
        if stored != inbox.config:
            Inbox.objects.filter(pk=inbox.pk).update(config=stored)
            rotated += 1
    return rotated


@transaction.atomic
def inbox_delete(*, inbox: Inbox, actor) -> None:
    """Delete an inbox that never had a conversation; one with history is deactivated instead."""
    if inbox.conversations.exists():
        raise ValidationFailed(gettext("This inbox has conversations; deactivate it instead (is_active: false)."),
                               extra={"inbox": "has conversations"}, status=409)
    audit_record(actor=actor, action="inbox.deleted", target=inbox, changes={"name": inbox.name, "kind": inbox.kind})
    inbox.delete()


#: An acknowledgement later than this after the customer wrote is not sent.
ACKNOWLEDGE_WITHIN = timedelta(hours=1)


def conversation_acknowledge(*, conversation_id: int):
    """Queue the inbox's automatic acknowledgement of a new conversation, at most once.

    A durable subscriber of "conversation.created": it may run twice, so it looks for an
    acknowledgement first. A conversation opened by an automatic mail (an out-of-office
    reply) is not acknowledged, which would start a loop of robots answering each other; nor
    is one whose first message is older than ACKNOWLEDGE_WITHIN (imported history, or a backlog
    after an outage, where "we got your message" would arrive absurdly late).
    """
    from parley.conversations.models import Conversation, Direction
    from parley.conversations.services import message_auto_reply

    # Most inboxes send none (the API channel, a chat): ask before taking a lock, which on SQLite is the one write lock.
    conversation = Conversation.objects.select_related("inbox", "contact").filter(pk=conversation_id).first()
    if conversation is None:
        return None
    with in_language_of(conversation.contact):
        text = conversation.inbox.adapter.acknowledgement(conversation)
    if not text:
        return None
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().select_related("inbox").filter(pk=conversation_id).first()
        if conversation is None or conversation.messages.filter(metadata__automatic="acknowledgement").exists():
            return None
        first = conversation.messages.filter(direction=Direction.INBOUND).order_by("created_at", "id").first()
        if first is None or first.metadata.get("auto_reply") or first.created_at < timezone.now() - ACKNOWLEDGE_WITHIN:
            return None
        return message_auto_reply(conversation=conversation, text=text, reason="acknowledgement")


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
    from parley.channels.base import DeliveryReport
    from parley.conversations.services import message_receive

    if INBOUND_KEY in envelope.payload:
        parsed = InboundMessage.from_payload(envelope.payload[INBOUND_KEY])
    else:
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
        raise ValidationFailed(gettext("A delivery report needs the provider's message id."), extra={"external_id": "required"})
    message = (Message.objects.filter(conversation__inbox=inbox, direction=Direction.OUTBOUND, external_id=report.external_id)
               .select_related("conversation").first())
    if message is None:
        return None
    return message_set_delivery(message=message, status=report.status, reason=report.reason, at=report.at)


def inbox_test_connection(*, inbox: Inbox) -> list:
    """Try the inbox's connections with its stored settings; a list of ConnectionCheck, empty when it dials none.

    Nothing is written: the admin sees the answer at once, and a failed try changes nothing.
    """
    return inbox.adapter.test_connection(inbox.settings)

