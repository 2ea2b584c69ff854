"""Writes for the email channel: store received mail, poll IMAP, refresh OAuth2 tokens, keep unmatched bounces."""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parley.channels.base import DeliveryError
from parley.channels.email.config import EmailConfig
from parley.channels.email.imap import ImapMailbox
from parley.channels.email.models import EmailInboxState, UnmatchedBounce
from parley.channels.email.oauth2 import OAuth2Error, token_refresh
from parley.channels.models import InboundEnvelope, Inbox
from parley.channels.secrets import encrypt
from parley.channels.services import envelope_store

logger = logging.getLogger(__name__)

POLL_LEASE = timedelta(minutes=10)
MAX_BACKOFF_SECONDS = 3600
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Headers that relays add in transit: the same mail delivered twice differs only in these.
_TRACE_HEADER = re.compile(rb"^(?:return-path|received|delivered-to|x-original-to|x-envelope-to)\s*:", re.IGNORECASE)


def content_digest(raw: bytes) -> str:
    """Return the sha256 of a mail without the trace headers relays put on top of it."""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    start = 0
    for line in lines:
        # A trace header, or a folded continuation line of one.
        if not (_TRACE_HEADER.match(line) or (start and line[:1] in (b" ", b"\t"))):
            break
        start += 1
    return hashlib.sha256(b"\n".join(lines[start:])).hexdigest()


def _message_id(raw: bytes) -> str:
    value = BytesHeaderParser(policy=policy.compat32).parsebytes(raw).get("Message-ID")
    found = _MESSAGE_ID.search(str(value or ""))
    return found.group(1) if found else ""


def email_store(*, inbox: Inbox, raw: bytes) -> tuple[InboundEnvelope, bool]:
    """Store one received mail as an envelope, once; return (envelope, created).

    The key is the Message-ID. The same Message-ID arriving with different content (a client
    reusing ids, a resend with edits) is stored again under Message-ID + content hash rather
    than silently dropped; the same mail twice (a retried delivery) is stored once.
    """
    digest = content_digest(raw)
    message_id = _message_id(raw)
    if not message_id:
        return envelope_store(inbox=inbox, external_id=f"sha256:{digest}", raw=raw)
    key = message_id[:180]
    first = InboundEnvelope.objects.filter(inbox=inbox, external_id=key).only("raw").first()
    if first is not None and content_digest(bytes(first.raw or b"")) != digest:
        key = f"{key}#{digest[:32]}"
    return envelope_store(inbox=inbox, external_id=key, raw=raw)


def inbox_state(*, inbox: Inbox) -> EmailInboxState:
    """Return the inbox's polling state, creating it on first use."""
    return EmailInboxState.objects.get_or_create(inbox=inbox)[0]


def oauth2_token_refresh(*, inbox: Inbox) -> EmailConfig:
    """Return the inbox's configuration with a usable OAuth2 access token, refreshing and storing it first when due.

    Raises OAuth2Error when the token endpoint refuses or cannot be reached.
    """
    config = EmailConfig.of(inbox)
    if config.oauth2 is None or not config.oauth2.needs_refresh():
        return config
    with transaction.atomic():
        # The row lock makes concurrent workers refresh once: providers that rotate refresh tokens
        # invalidate the old one, so a second, racing refresh could store a dead token.
        locked = Inbox.objects.select_for_update().get(pk=inbox.pk)
        config = EmailConfig.of(locked)
        if config.oauth2 is not None and config.oauth2.needs_refresh():
            grant = token_refresh(config.oauth2)
            oauth2 = {**locked.config["oauth2"], "access_token": encrypt(grant.access_token),
                      "expires_at": grant.expires_at.isoformat()}
            if grant.refresh_token:
                oauth2["refresh_token"] = encrypt(grant.refresh_token)
            locked.config = {**locked.config, "oauth2": oauth2}
            Inbox.objects.filter(pk=locked.pk).update(config=locked.config)
    inbox.config = locked.config
    return EmailConfig.of(inbox)


def sending_config(*, inbox: Inbox) -> EmailConfig:
    """Return the inbox's configuration ready to send with; raise DeliveryError when its OAuth2 token cannot be had."""
    try:
        return oauth2_token_refresh(inbox=inbox)
    except OAuth2Error as exc:
        raise DeliveryError(str(exc), permanent=exc.permanent) from exc


def inbox_poll(*, inbox: Inbox) -> int:
    """Fetch new mail from the inbox's IMAP folder; return how many new envelopes were stored.

    Each message is marked seen (or moved) only after its envelope is committed, so a crash
    or a failed store leaves it on the server to be fetched again; the envelope dedupe keeps
    a message fetched twice from becoming two. A failure is recorded on the inbox's state and
    the next poll backs off exponentially.
    """
    if EmailConfig.of(inbox).imap is None:
        return 0
    state = inbox_state(inbox=inbox)
    now = timezone.now()
    claimed = EmailInboxState.objects.filter(pk=state.pk).filter(
        Q(polling_until__isnull=True) | Q(polling_until__lt=now)).update(polling_until=now + POLL_LEASE)
    if not claimed:
        return 0
    stored = 0
    try:
        config = oauth2_token_refresh(inbox=inbox)
        with ImapMailbox(config.imap) as mailbox:
            if state.uidvalidity != mailbox.uidvalidity:
                state.uidvalidity, state.last_uid = mailbox.uidvalidity, 0
            for uid in mailbox.new_uids(after=state.last_uid):
                raw = mailbox.fetch(uid)
                with transaction.atomic():
                    _, created = email_store(inbox=inbox, raw=raw)
                mailbox.mark_done(uid)
                state.last_uid = uid
                EmailInboxState.objects.filter(pk=state.pk).update(last_uid=uid, uidvalidity=state.uidvalidity)
                stored += created
    except Exception as exc:  # any failure (network, server, database) must be visible on the inbox and retried
        _poll_failed(state, exc)
        return stored
    _poll_succeeded(state)
    return stored


def _poll_failed(state: EmailInboxState, exc: Exception) -> None:
    now = timezone.now()
    failures = state.failures + 1
    logger.warning("IMAP poll of inbox %s failed: %s", state.inbox_id, exc)
    EmailInboxState.objects.filter(pk=state.pk).update(
        last_error=f"{type(exc).__name__}: {exc}"[:2000], last_error_at=now, failures=failures, polling_until=None,
        next_poll_at=now + timedelta(seconds=min(60 * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)),
    )


def _poll_succeeded(state: EmailInboxState) -> None:
    EmailInboxState.objects.filter(pk=state.pk).update(
        last_success_at=timezone.now(), failures=0, next_poll_at=None, polling_until=None)


def unmatched_bounce_record(*, envelope: InboundEnvelope, report, received_at=None) -> UnmatchedBounce:
    """Keep a bounce that matches no reply for the admins' Bounces list, once per envelope."""
    main = report.main
    recipient = main.address if main else report.original_to.split(",")[0].strip()
    reason = " ".join(filter(None, [report.explanation, report.reason]))
    bounce, _ = UnmatchedBounce.objects.update_or_create(envelope=envelope, defaults={
        "inbox": envelope.inbox, "recipient": recipient[:320], "subject": report.original_subject[:300],
        "category": report.category, "hard": report.hard, "reason": reason[:4000],
        "received_at": received_at or envelope.received_at or timezone.now(),
    })
    return bounce
