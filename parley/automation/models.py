"""Rules (event triggers and time rules), their firings, canned responses, macros and outgoing webhooks."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    TRIGGER = "trigger", _("Trigger (on an event)")
    TIME = "time", _("Time rule (after a while)")


class Rule(models.Model):
    """An automation: when (events or elapsed time), if (conditions), then (actions); `definition` is validated JSON."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=8, choices=RuleKind.choices)
    is_active = models.BooleanField(default=True)
    #: Rules run in this order, then by name: an earlier rule's changes are seen by later ones on the next event.
    position = models.PositiveIntegerField(default=100)
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """A rule acted on a conversation: once per event for a trigger, once per anchor time for a time rule."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    event_id = models.BigIntegerField(null=True, blank=True)
    #: For a time rule: the value of the time it counts from (the condition it fired for).
    anchor_at = models.DateTimeField(null=True, blank=True)
    #: How many rule-caused changes led here, this one included.
    depth = models.PositiveSmallIntegerField(default=1)
    #: The event a person, a customer or the system caused, at the start of this chain of rule-caused changes.
    root_event_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    #: The rule matched but was stopped as part of a loop, and did nothing.
    stopped = models.BooleanField(default=False)
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "event_id"], condition=models.Q(event_id__isnull=False),
                                    name="rule_fires_once_per_event"),
            models.UniqueConstraint(fields=["rule", "conversation", "anchor_at"], condition=models.Q(anchor_at__isnull=False),
                                    name="time_rule_fires_once_per_anchor"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on #{self.conversation_id}"


class RuleCausedEvent(models.Model):
    """An event a rule's action published, with the length of the rule chain behind it (loop detection)."""

    event_id = models.BigIntegerField(primary_key=True)
    depth = models.PositiveSmallIntegerField()
    root_event_id = models.BigIntegerField()


class CannedResponse(models.Model):
    """A saved reply agents insert by its shortcut; {{variables}} are filled from the conversation."""

    shortcut = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut"]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class Macro(models.Model):
    """Several actions and an optional reply that an agent applies to a conversation in one click."""

    name = models.CharField(max_length=120, unique=True)
    #: Validated like a rule's actions (automation.definitions.MacroDefinition).
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Webhook(models.Model):
    """A URL that receives the events it subscribes to, signed with its secret."""

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    #: Signs every delivery (HMAC-SHA256); shown to admins so the receiver can verify.
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    #: Only an admin may let a webhook reach private, loopback or link-local addresses.
    allow_private = models.BooleanField(default=False)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event (or rule call) to one webhook; its attempts are the delivery log."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField(null=True, blank=True)
    event_name = models.CharField(max_length=60)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED, db_index=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], condition=models.Q(event_id__isnull=False),
                                               name="webhook_delivery_once_per_event")]

    def __str__(self) -> str:
        return f"{self.event_name} to {self.webhook}"


class WebhookAttempt(models.Model):
    """One request of a delivery: what the receiver answered (or why there was no answer) and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
