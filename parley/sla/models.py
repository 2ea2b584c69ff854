from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update (urgent)")


class SlaPolicy(models.Model):
    """A promise: conversations matching its conditions get answers and a resolution within its targets.

    Conditions left empty match everything; the first active policy (by position) that matches applies.
    """

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    inboxes = models.ManyToManyField("inboxes.Inbox", blank=True, related_name="+")
    channel_kinds = models.JSONField(default=list, blank=True)
    priorities = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    organizations = models.ManyToManyField("contacts.Organization", blank=True, related_name="+")
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    #: For urgent conversations: an agent's public update at least this often.
    periodic_update_minutes = models.PositiveIntegerField(null=True, blank=True)
    #: Targets count this calendar's open minutes; without one they count every minute.
    calendar = models.ForeignKey("routing.BusinessCalendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    warn_before_minutes = models.PositiveIntegerField(default=15)
    #: On a breach, raise the conversation to the next tier along its team's escalation path.
    escalate_on_breach = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name

    def target_minutes(self) -> dict[str, int]:
        return {target: minutes for target, minutes in (
            (Target.FIRST_RESPONSE, self.first_response_minutes), (Target.NEXT_RESPONSE, self.next_response_minutes),
            (Target.RESOLUTION, self.resolution_minutes), (Target.PERIODIC_UPDATE, self.periodic_update_minutes),
        ) if minutes}


class ConversationSla(models.Model):
    """A conversation's due times under its policy, and the clock state they are computed from."""

    conversation = models.OneToOneField("conversations.Conversation", primary_key=True, on_delete=models.CASCADE,
                                        related_name="sla")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="conversations")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    periodic_update_due_at = models.DateTimeField(null=True, blank=True)
    #: The soonest of the due times above (None while paused or when nothing is due): the inbox sorts by it.
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: When the checker must look next (a warning or a breach); None when nothing is due.
    check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    #: Waiting on the customer (pending, on hold) since then: clocks stand still.
    paused_at = models.DateTimeField(null=True, blank=True)
    #: Minutes (on the policy's clock) spent paused so far; they push the resolution due time back.
    paused_minutes = models.FloatField(default=0)
    #: target -> the due time already warned about / breached, so each fires once per due time.
    warned = models.JSONField(default=dict, blank=True)
    breached = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "conversation SLA"

    def __str__(self) -> str:
        return f"#{self.conversation_id} under {self.policy}"

    def due_times(self) -> dict[str, object]:
        return {t: getattr(self, f"{t}_due_at") for t in Target.values if getattr(self, f"{t}_due_at")}

    def labelled_due_times(self) -> list[tuple[str, object]]:
        return [(Target(t).label, at) for t, at in self.due_times().items()]


class EscalationStep(models.Model):
    """One step of a team's escalation path: who takes tier N, and what must be filled in before."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="escalation_steps")
    tier = models.PositiveSmallIntegerField()
    handled_by = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    #: Custom fields the conversation must have before it may go up to this tier.
    required_fields = models.JSONField(default=list, blank=True)
    procedure = models.TextField(blank=True)

    class Meta:
        ordering = ["team", "tier"]
        constraints = [models.UniqueConstraint(fields=["team", "tier"], name="escalation_step_unique")]

    def __str__(self) -> str:
        return f"{self.team} → tier {self.tier}: {self.handled_by}"
