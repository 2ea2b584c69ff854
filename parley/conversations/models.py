from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


#: Statuses in which the conversation still waits on us or the customer.
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ConversationType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    PROBLEM = "problem", _("Problem")
    TASK = "task", _("Task")


class CustomStatus(models.Model):
    """A team's own status name ("Waiting on vendor") that maps onto one built-in category."""

    name = models.CharField(max_length=60, unique=True)
    category = models.CharField(max_length=10, choices=Status.choices)
    #: Where the status pickers list it; admins reorder in Settings → Statuses.
    position = models.PositiveIntegerField(default=0)
    #: An archived status is offered no more; conversations that carry it keep it.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "custom statuses"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    #: An archived tag is suggested no more; conversations that carry it keep it.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")
    DATE = "date", _("Date")


class CustomField(models.Model):
    """The definition of a conversation field a team adds ("Order number"); values live in Conversation.custom_fields[key]."""

    key = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    #: The options of a choice field, in the order shown.
    choices = models.JSONField(default=list, blank=True)
    #: A conversation cannot be solved or closed while this field is empty.
    required_to_solve = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Conversation(models.Model):
    """The ticket: everything said with one customer about one matter, on any channel."""

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    custom_status = models.ForeignKey(CustomStatus, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL, db_index=True)
    type = models.CharField(max_length=10, choices=ConversationType.choices, default=ConversationType.QUESTION)
    tier = models.PositiveSmallIntegerField(default=1)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_conversations")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    tags = models.ManyToManyField(Tag, related_name="conversations", blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    participants = models.ManyToManyField("contacts.Contact", related_name="cc_conversations", blank=True)
    related = models.ManyToManyField("self", symmetrical=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_conversations")
    preview = models.CharField(max_length=200, blank=True)
    #: Opened by an automatic message (an out-of-office reply, list mail) and nobody has written in it since,
    #: so agents can filter such conversations out.
    started_automatic = models.BooleanField(default=False)

    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_message_at = models.DateTimeField(db_index=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    inbound_count = models.PositiveIntegerField(default=0)
    outbound_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-last_message_at"]),
            models.Index(fields=["assignee", "status", "-last_message_at"]),
            models.Index(fields=["team", "status", "-last_message_at"]),
            # Serves the sidebar counts, and the counts of saved views narrowed by priority, which read only
            # unmerged rows: a count of a few hundred matches reads only them, not every active conversation.
            models.Index(fields=["status", "assignee", "priority"], condition=models.Q(merged_into__isnull=True),
                         name="conversation_live_counts_idx"),
            # Mine and unassigned, newest first: read in order, a page is its first fifty entries (SQLite would
            # otherwise sort every unassigned conversation).
            models.Index(fields=["assignee", "last_message_at"], condition=models.Q(merged_into__isnull=True),
                         name="conversation_assignee_lma_idx"),
            # Counts narrowed by status and priority ("999+ conversations" above a filtered list): read from the
            # index alone, in number order, so that a join with a tag's conversations stops after a thousand matches
            # rather than reading a row for every conversation carrying the tag.
            models.Index(fields=["status", "priority", "id"], condition=models.Q(merged_into__isnull=True),
                         name="conversation_status_prio_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def number(self) -> int:
        # The primary key is the number people quote: unique, stable and sequential on every database.
        return self.pk

    @property
    def status_label(self) -> str:
        return self.custom_status.name if self.custom_status_id else self.get_status_display()


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("System event")
    BOT = "bot", _("Bot")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=5, choices=MessageKind.choices, default=MessageKind.REPLY)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    sender_contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, db_index=True)
    #: Why delivery failed (or, while it is retried, why the last attempt did); attempts are on its job.
    failure_reason = models.TextField(blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mentioned_in", blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.conversation_id}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.REPLY, MessageKind.BOT)


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    content_id = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.filename


class Notification(models.Model):
    """Something an agent should see: an @mention, an assignment."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
