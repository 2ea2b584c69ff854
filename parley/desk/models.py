"""An agent's own state on conversations: what they have seen, and what they have started writing."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationSeen(models.Model):
    """When an agent last had a conversation open; a customer message after that is unread for its assignee."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "conversation"], name="desk_seen_once_per_agent")]


class DraftKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Note")


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


class BulkAction(models.Model):
    """One change an agent applied to many conversations at once, done by a job with visible progress,
    and what each conversation was before, so it can be undone."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10)
    #: The action's argument: an agent or team id, a status, a priority, tag names.
    value = models.JSONField(default=None, null=True)
    conversation_ids = models.JSONField(default=list)
    done = models.PositiveIntegerField(default=0)
    #: {conversation id: why it was not changed}, kept by core.i18n.stored_text so each reader reads it in their language
    failures = models.JSONField(default=dict)
    #: {conversation id: its assignee, team, status, custom status, priority and tags before}
    before = models.JSONField(default=dict)
    #: The bulk action that undoes this one, once asked for.
    undo_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    LABELS = {"assign": _("Assign"), "team": _("Move to a team"), "status": _("Set the status"), "priority": _("Set the priority"),
              "tags": _("Add tags"), "merge": _("Merge")}

    @property
    def total(self) -> int:
        return len(self.conversation_ids)

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


class SavedView(models.Model):
    """A conversation list an agent named: its filters and sort as a query string, for them alone or shared with everyone."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=2000)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]


class NotificationPreference(models.Model):
    """What an agent wants to be told about, and how: in the workspace always, in the browser and with a sound if asked."""

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    assignment = models.BooleanField(default=True)
    customer_message = models.BooleanField(default=True)
    mention = models.BooleanField(default=True)
    browser = models.BooleanField(default=False)
    sound = models.BooleanField(default=False)
