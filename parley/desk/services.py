"""Writes of an agent's desk: marking a conversation seen, keeping and discarding drafts."""
from django.db import transaction
from django.utils import timezone

from parley.core.errors import ValidationFailed
from parley.desk.models import ConversationSeen, Draft, DraftKind

#: Larger than any reply a channel carries; a draft is the agent's own text, not a file store.
MAX_DRAFT_LENGTH = 100_000


def conversation_mark_seen(*, agent, conversation) -> None:
    """Record that `agent` has the conversation open now: its customer messages so far are read."""
    ConversationSeen.objects.update_or_create(agent=agent, conversation=conversation,
                                              defaults={"seen_at": timezone.now()})


@transaction.atomic
def draft_save(*, agent, conversation, kind: str, text: str) -> Draft | None:
    """Keep what the agent has typed; empty text discards the draft."""
    if kind not in DraftKind.values:
        raise ValidationFailed("A draft is a reply or a note.", extra={"kind": f"must be one of {', '.join(DraftKind.values)}"})
    if len(text) > MAX_DRAFT_LENGTH:
        raise ValidationFailed(f"A draft is at most {MAX_DRAFT_LENGTH:,} characters.", extra={"text": "too long"})
    if not text.strip():
        draft_discard(agent=agent, conversation=conversation, kind=kind)
        return None
    draft, _ = Draft.objects.update_or_create(agent=agent, conversation=conversation, kind=kind, defaults={"text": text})
    return draft


def draft_discard(*, agent, conversation, kind: str) -> None:
    """Forget a draft (it was sent, or emptied)."""
    Draft.objects.filter(agent=agent, conversation=conversation, kind=kind).delete()
