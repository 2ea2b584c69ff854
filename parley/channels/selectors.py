"""Reads of inboxes that channels share: which inbox receives on an address, the settings list, an inbox's health."""
import copy
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from parley.channels.addresses import address_normalize
from parley.channels.base import PollState
from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox, InboxAddress
from parley.core.kept import forget_now_and_at_commit

#: Failed envelopes the health card lists; the rest are counted.
FAILED_ENVELOPES_SHOWN = 10


#: A busy number posts hundreds of webhooks a second, each naming its inbox by its public key: a process answers
#: them from its own copy of the inbox for PARLEY_KEPT_SECONDS. A change saved in this process counts at once
#: (inbox_by_key_forget), one saved in another process when that time is up. Inboxes kept per process; past this the copies are dropped and looked up again.
INBOX_BY_KEY_KEPT = 1000
_inbox_by_key: dict[tuple[str, str], tuple[float, Inbox]] = {}


def active_inbox_by_key(*, kind: str, key: str) -> Inbox | None:
    """Return the active inbox of `kind` whose public key is `key` (the one a webhook URL names), or None."""
    now = time.monotonic()
    kept = _inbox_by_key.get((kind, key))
    if kept is None or kept[0] < now:
        inbox = Inbox.objects.filter(kind=kind, key=key, is_active=True).first()
        if inbox is None:  # unknown keys are not kept: anyone can make up as many as they like
            return None
        if len(_inbox_by_key) >= INBOX_BY_KEY_KEPT:
            _inbox_by_key.clear()
        _inbox_by_key[(kind, key)] = kept = (now + settings.PARLEY_KEPT_SECONDS, inbox)
    # A copy per request: a view may change its inbox (a poll state, a refreshed token) without the next seeing it.
    return copy.deepcopy(kept[1])


def inbox_by_key_forget(**kwargs) -> None:
    """Drop this process's copies of inboxes (an inbox was saved or deleted), now and when the change commits."""
    forget_now_and_at_commit(_inbox_by_key.clear)


def inbox_for(*, kind: str, address: str) -> Inbox | None:
    """Return the active inbox receiving on `address` of `kind` (email, phone, page, username), or None.

    One indexed lookup in the address index, however many inboxes there are.
    """
    try:
        key = address_normalize(kind, address)
    except ValueError:
        return None
    found = (InboxAddress.objects.filter(kind=kind, address=key, inbox__is_active=True)
             .select_related("inbox").first())
    return found.inbox if found else None


def inbox_list():
    """Return every inbox with its default team and addresses, for the settings list."""
    return Inbox.objects.select_related("default_team").prefetch_related("addresses")


@dataclass(frozen=True)
class InboxHealth:
    last_received_at: datetime | None
    last_sent_at: datetime | None
    #: The latest reply that could not be delivered, with its reason in plain words, or None.
    last_failed_reply: object
    poll: PollState | None
    failed_envelopes: list
    failed_envelope_count: int


def inbox_health(*, inbox: Inbox) -> InboxHealth:
    """Return what an admin checks when an inbox seems quiet: last message in and out, the last failures."""
    from parley.conversations.models import DeliveryStatus, Direction, Message

    replies = Message.objects.filter(conversation__inbox=inbox, direction=Direction.OUTBOUND).exclude(kind="event")
    failed = InboundEnvelope.objects.filter(inbox=inbox, status=EnvelopeStatus.FAILED).order_by("-received_at")
    return InboxHealth(
        last_received_at=InboundEnvelope.objects.filter(inbox=inbox).order_by("-received_at")
        .values_list("received_at", flat=True).first(),
        last_sent_at=replies.filter(sent_at__isnull=False).order_by("-sent_at").values_list("sent_at", flat=True).first(),
        last_failed_reply=replies.filter(delivery_status=DeliveryStatus.FAILED).order_by("-created_at")
        .only("pk", "conversation_id", "failure_reason", "created_at").first(),
        poll=inbox.adapter.poll_state(inbox),
        failed_envelopes=list(failed[:FAILED_ENVELOPES_SHOWN]),
        failed_envelope_count=failed.count(),
    )

