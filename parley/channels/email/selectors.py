"""Reads for the email channel: which inbox an address belongs to, which inboxes are due a poll, unmatched bounces."""
from django.db.models import Q
from django.utils import timezone

from parley.channels.email.config import EmailConfig
from parley.channels.email.models import UnmatchedBounce
from parley.channels.models import Inbox
from parley.channels.selectors import inbox_for


def inbox_for_address(address: str) -> Inbox | None:
    """Return the active email inbox receiving mail for `address` (any case, any +tag), or None."""
    return inbox_for(kind="email", address=address)


def inboxes_due_for_poll(*, now=None) -> list[int]:
    """Return ids of active email inboxes with IMAP settings whose backoff (if any) has passed."""
    now = now or timezone.now()
    due = []
    for inbox in Inbox.objects.filter(kind="email", is_active=True).filter(
            Q(email_state__isnull=True) | Q(email_state__next_poll_at__isnull=True) | Q(email_state__next_poll_at__lte=now)):
        if EmailConfig.of(inbox).imap is not None:
            due.append(inbox.pk)
    return due


def unmatched_bounces(*, limit: int = 200) -> list[UnmatchedBounce]:
    """Return the latest bounces that matched no reply, newest first, with their inbox."""
    return list(UnmatchedBounce.objects.select_related("inbox")[:limit])
