"""An agent's own state on conversations: what they have seen, and what they have started writing."""
from django.conf import settings
from django.db import models


class ConversationSeen(models.Model):
    """When an agent last had a conversation open; a customer message after that is unread for its assignee."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "conversation"], name="desk_seen_once_per_agent")]


class DraftKind(models.TextChoices):
    REPLY = "reply", "Reply"
    NOTE = "note", "Note"


class Draft(models.Model):
    """Text an agent typed into a conversation's composer and has not sent: kept on the server, so it
    survives a reload and follows the agent to another device."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=DraftKind.choices)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "conversation", "kind"], name="desk_one_draft_per_composer")]
