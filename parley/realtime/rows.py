"""The inbox list's row for one conversation, as live events carry it to open lists."""
from django.template.loader import render_to_string

from parley.conversations.models import ACTIVE_STATUSES, Conversation


def list_row(conversation: Conversation) -> dict:
    """Return what an open list needs to place, filter and draw the conversation's row (JSON-safe).

    `html` is the same partial the list renders; the other keys are what the list's views and
    filters select on and what it sorts by, so the browser can insert, move or drop the row.
    """
    return {
        "id": conversation.pk,
        "number": conversation.number,
        "subject": conversation.subject,
        "preview": conversation.preview,
        "status": conversation.status,
        "status_label": conversation.status_label,
        "active": conversation.status in ACTIVE_STATUSES,
        "priority": conversation.priority,
        "assignee_id": conversation.assignee_id,
        "assignee": str(conversation.assignee) if conversation.assignee_id else "",
        "team_id": conversation.team_id,
        "team": str(conversation.team) if conversation.team_id else "",
        "inbox_id": conversation.inbox_id,
        "inbox": conversation.inbox.name,
        "inbox_kind": conversation.inbox.kind,
        "contact_id": conversation.contact_id,
        "tags": sorted(tag.name for tag in conversation.tags.all()),
        "last_message_at": conversation.last_message_at.isoformat(),
        # The customer spoke last: nobody has answered yet.
        "waiting": bool(conversation.last_inbound_at and conversation.last_inbound_at >= conversation.last_message_at),
        "merged_into_id": conversation.merged_into_id,
        "html": render_to_string("workspace/_row.html", {"c": conversation}),
    }
