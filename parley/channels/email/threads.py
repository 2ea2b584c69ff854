"""Find the conversation an inbound email continues.

In this order: the Message-IDs it answers (In-Reply-To, then References newest first, against
every email Parley sent or received in the inbox — References survive Outlook rewriting
In-Reply-To); then Outlook's Thread-Index; then a "[#1234]" conversation number in the
subject, honoured only from the conversation's contact or participants so a guessed number
cannot pull a stranger into someone's conversation; then, within the inbox's window, the
sender's latest conversation with the same subject once Re:/Fwd:/AW:/SV:… are stripped.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from parley.channels.email.config import EmailConfig, address_key
from parley.contacts.models import Contact, ContactIdentity
from parley.conversations.models import Conversation, Message, Status
from parley.core.models import surviving

NUMBER_TAG = re.compile(r"\[#(\d{1,12})\]")
_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|odp|ynt|res|rif|r|fwd?|fw|wg|tr|rv|enc|doorst|vb|vl|továbbítás|回复|答复|转发|転送)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*|\[[^\]]*\]\s*)+",
    re.IGNORECASE,
)
#: Outlook's Thread-Index starts with 22 bytes naming the conversation; replies append 5 each.
_THREAD_INDEX_ROOT_BYTES = 22


def subject_base(subject: str) -> str:
    """Return the subject without reply/forward prefixes, list tags and conversation numbers."""
    subject = NUMBER_TAG.sub(" ", subject or "")
    previous = None
    while previous != subject:
        previous, subject = subject, _PREFIX.sub("", subject)
    return " ".join(subject.split())


def subject_key(subject: str) -> str:
    return subject_base(subject).casefold()


def thread_index_root(value: str | None) -> str:
    """Return the conversation part of an Outlook Thread-Index header ("" when absent or unreadable)."""
    if not value:
        return ""
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return base64.b64encode(data[:_THREAD_INDEX_ROOT_BYTES]).decode() if len(data) >= _THREAD_INDEX_ROOT_BYTES else ""


@dataclass(frozen=True)
class Thread:
    """Where an inbound email goes: an existing conversation, a follow-up of a closed one, or a new one."""

    conversation: Conversation | None = None
    follow_up_of: Conversation | None = None
    found_by: str = ""


def thread_find(*, inbox, config: EmailConfig, sender: str, subject: str, refs: list[str], thread_index: str) -> Thread:
    """Return the thread an email from `sender` belongs to, applying the inbox's reply-to-closed rule."""
    for found_by, lookup in (
        ("references", lambda: _by_references(inbox, refs)),
        ("thread-index", lambda: _by_thread_index(inbox, thread_index)),
        ("subject number", lambda: _by_number(inbox, subject, sender)),
        ("sender and subject", lambda: _by_subject(inbox, config, subject, sender)),
    ):
        conversation = lookup()
        if conversation is not None:
            conversation = surviving(conversation)
            if conversation.status == Status.CLOSED and config.reply_to_closed == "follow_up":
                return Thread(follow_up_of=conversation, found_by=found_by)
            return Thread(conversation=conversation, found_by=found_by)
    return Thread()


def _by_references(inbox, refs: list[str]) -> Conversation | None:
    if not refs:
        return None
    found = dict(Message.objects.filter(conversation__inbox=inbox, external_id__in=refs)
                 .values_list("external_id", "conversation_id"))
    for ref in refs:
        if ref in found:
            return Conversation.objects.get(pk=found[ref])
    return None


def _by_thread_index(inbox, root: str) -> Conversation | None:
    if not root:
        return None
    earlier = (Message.objects.filter(conversation__inbox=inbox, metadata__thread_index=root)
               .select_related("conversation").order_by("-created_at").first())
    return earlier.conversation if earlier else None


def _by_number(inbox, subject: str, sender: str) -> Conversation | None:
    for number in NUMBER_TAG.findall(subject):
        conversation = Conversation.objects.filter(pk=int(number), inbox=inbox).select_related("contact").first()
        if conversation is not None and _takes_part(conversation, sender):
            return conversation
    return None


def _takes_part(conversation: Conversation, sender: str) -> bool:
    key = address_key(sender)
    people = [conversation.contact, *conversation.participants.all()]
    return any(address_key(p.email) == key for p in people if p.email) or conversation.contact.identities.filter(
        kind="email", source_id=sender.lower()).exists()


def _by_subject(inbox, config: EmailConfig, subject: str, sender: str) -> Conversation | None:
    key = subject_key(subject)
    if not key or config.thread_window_days <= 0:
        return None
    since = timezone.now() - timedelta(days=config.thread_window_days)
    senders = set(ContactIdentity.objects.filter(kind="email", source_id=sender.lower()).values_list("contact_id", flat=True))
    senders.update(Contact.objects.filter(email=sender.lower()).values_list("pk", flat=True))
    if not senders:
        return None
    candidates = (Conversation.objects.filter(inbox=inbox, contact_id__in=senders, last_message_at__gte=since)
                  .order_by("-last_message_at")[:50])
    return next((c for c in candidates if subject_key(c.subject) == key), None)
