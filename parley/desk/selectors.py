"""Reads of an agent's desk: which conversations are unread for them, and their drafts."""
from django.db.models import Q, QuerySet

from parley.desk.models import ConversationSeen, Draft, DraftKind, NotificationPreference, SavedView


def unread_conversation_ids(*, agent, conversations) -> set[int]:
    """Return the ids of `conversations` (a page of a list) assigned to `agent` with a customer message they have not seen."""
    mine = [c for c in conversations if c.assignee_id == agent.pk and c.last_inbound_at]
    seen = dict(ConversationSeen.objects.filter(agent=agent, conversation_id__in=[c.pk for c in mine])
                .values_list("conversation_id", "seen_at"))
    return {c.pk for c in mine if c.pk not in seen or seen[c.pk] < c.last_inbound_at}


def drafts_for(*, agent, conversation) -> dict[str, str]:
    """Return the agent's unsent text on the conversation by composer: {"reply": …, "note": …} ("" for none)."""
    return {kind: "" for kind in DraftKind.values} | dict(
        Draft.objects.filter(agent=agent, conversation=conversation).values_list("kind", "text"))


def saved_views(*, agent) -> QuerySet:
    """Return the agent's own views and everyone's shared ones."""
    return SavedView.objects.filter(Q(owner=agent) | Q(shared=True)).select_related("owner")


def notification_preferences(*, agent) -> NotificationPreference:
    """Return the agent's notification preferences (the defaults until they save their own)."""
    return NotificationPreference.objects.filter(agent=agent).first() or NotificationPreference(agent=agent)
