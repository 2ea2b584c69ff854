"""Find the outbound reply a bounce is about, even when the bounce names no Message-ID."""
from __future__ import annotations

import re

from parley.conversations.models import Direction, Message, MessageKind

from .dsn import BounceReport

_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|vs|antw|odp|ответ|fwd?|wg|tr)\s?[:：]\s*)+", re.IGNORECASE)


def bounce_message_find(*, inbox, report: BounceReport) -> Message | None:
    """Return the outbound reply `report` returns.

    By the returned copy's Message-ID first; failing that (servers that strip it, headers-only
    copies), the most recent reply from this inbox to a failed recipient, preferring one whose
    conversation subject the returned subject carries.
    """
    replies = Message.objects.filter(conversation__inbox=inbox, direction=Direction.OUTBOUND, kind=MessageKind.REPLY)
    if report.original_message_id:
        found = replies.filter(external_id=report.original_message_id).first()
        if found is not None:
            return found
    addresses = [r.address for r in report.recipients if r.address] or [
        address.strip() for address in report.original_to.split(",") if address.strip()
    ]
    if not addresses:
        return None
    candidates = list(
        replies.filter(conversation__contact__email__in=addresses)
        .select_related("conversation").order_by("-created_at", "-id")[:20]
    )
    subject = _REPLY_PREFIX.sub("", report.original_subject).strip().lower()
    if subject:
        for message in candidates:
            topic = _REPLY_PREFIX.sub("", message.conversation.subject).strip().lower()
            if topic and topic in subject:
                return message
    return candidates[0] if candidates else None
