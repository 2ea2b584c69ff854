from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentLine(models.Model):
    """Where an agent takes calls: a phone number and/or a SIP address, rung when a queued call is theirs."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="phone_line")
    phone = models.CharField(max_length=40, blank=True, help_text="E.164, e.g. +14155550123")
    sip = models.CharField(max_length=200, blank=True, help_text="e.g. sip:ana@example.sip.twilio.com")

    def __str__(self) -> str:
        return self.phone or self.sip


class IvrFlow(models.Model):
    """A voice inbox's menu tree: the node callers start at and every node by id (see voice/flow.py)."""

    inbox = models.OneToOneField("inboxes.Inbox", on_delete=models.CASCADE, primary_key=True, related_name="ivr_flow")
    start = models.CharField(max_length=50)
    #: [{"id", "type", …}]: the node types and their fields are in voice/flow.py.
    nodes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"IVR of {self.inbox}"


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    VOICEMAIL = "voicemail", _("Voicemail")
    CALLBACK = "callback", _("Call-back requested")
    ABANDONED = "abandoned", _("Abandoned")
    MISSED = "missed", _("Missed")
    ENDED_IN_MENU = "ended_in_menu", _("Ended in the menu")


class Call(models.Model):
    """One phone call, inbound or outbound: how it went through the menu, waited, was answered and ended.

    Handle and abandonment figures are computed from these rows (voice/selectors.py).
    """

    inbox = models.ForeignKey("inboxes.Inbox", on_delete=models.PROTECT, related_name="calls")
    call_sid = models.CharField(max_length=64, unique=True)
    direction = models.CharField(max_length=8, choices=CallDirection.choices)
    from_number = models.CharField(max_length=40)
    to_number = models.CharField(max_length=40)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    conversation = models.ForeignKey("conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="calls")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    #: The menu nodes the caller went through, in order, with the choice made at each menu.
    ivr_path = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=14, choices=CallOutcome.choices, default=CallOutcome.IN_PROGRESS, db_index=True)
    started_at = models.DateTimeField(db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    disposition = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} call {self.from_number} → {self.to_number}"


class CallbackRequest(models.Model):
    """A caller asked to be called back: the number, when they prefer, and the task conversation for it."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="callback_request")
    number = models.CharField(max_length=40)
    preferred_time = models.CharField(max_length=200)
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Call back {self.number} ({self.preferred_time})"
