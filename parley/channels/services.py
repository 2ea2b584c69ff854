"""Inbound envelopes: store the raw payload first, then process it (idempotently) in a worker."""
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.channels.config import (config_changes, config_merge, config_plain, config_reencrypted, config_sealed,
                                    config_validate)
from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox, InboxAddress
from parley.core import events
from parley.core.errors import ApplicationError, ValidationFailed
from parley.core.services import audit_record

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
    from parley.conversations.services import message_receive

    with transaction.atomic():
        envelope = InboundEnvelope.objects.select_for_update().select_related("inbox").get(pk=envelope_id)
        if envelope.status == EnvelopeStatus.PROCESSED:
            return envelope
        try:
            with transaction.atomic():
                inbound = envelope.inbox.adapter.parse(envelope)
                message = None if inbound is None else message_receive(inbox=envelope.inbox, inbound=inbound)
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
        raise ValidationFailed("Another inbox already receives on this address.", extra=problems, status=409)
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
        raise ValidationFailed("Another inbox already receives on this address.",
                               extra={field: "is already an address of another inbox" for field in set(wanted.values())},
                               status=409) from None


@transaction.atomic
def inbox_create(*, name: str, kind: str, config: dict | None = None, default_team=None, greeting: str = "", actor=None) -> Inbox:
    """Create an inbox for a registered channel kind with its configuration checked, secrets encrypted and addresses indexed."""
    from parley.channels.registry import get_adapter, kinds

    try:
        adapter = get_adapter(kind)
    except LookupError:
        raise ValidationFailed("Unknown channel kind.", extra={"kind": f"must be one of {', '.join(kinds())}"}) from None
    schema = adapter.config_schema
    plain = config_validate(schema=schema, config=config_merge(schema=schema, stored={}, changes=config or {}))
    inbox = Inbox.objects.create(name=name, kind=kind, config=config_sealed(schema=schema, config=plain),
                                 default_team=default_team, greeting=greeting)
    _addresses_sync(inbox, plain)
    audit_record(actor=actor, action="inbox.created", target=inbox,
                 changes={"kind": kind, "config": config_changes(schema=schema, before={}, after=plain)})
    return inbox


@transaction.atomic
def inbox_update(*, inbox: Inbox, actor, **fields) -> Inbox:
    """Change name, greeting, default team, active flag, or configuration keys.

    `config` holds the keys to change: a None value removes a key, keys left out stay, and a
    secret left out of a section (or sent as the mask, or blank) keeps its stored value.
    """
    unknown = set(fields) - {"name", "config", "default_team", "greeting", "is_active"}
    if unknown:
        raise ValidationFailed("Unknown inbox fields.", extra={f: "unknown field" for f in sorted(unknown)})
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
        raise ValidationFailed("This inbox has conversations; deactivate it instead (is_active: false).",
                               extra={"inbox": "has conversations"}, status=409)
    audit_record(actor=actor, action="inbox.deleted", target=inbox, changes={"name": inbox.name, "kind": inbox.kind})
    inbox.delete()
