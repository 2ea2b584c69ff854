from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.routing.hours import WeeklySchedule


class BusinessCalendar(models.Model):
    """Opening hours in a time zone, with holidays: routing assigns and SLA clocks run only while it is open."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    #: {"mon": [["09:00", "17:00"]], …}; a day left out is closed.
    hours = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: Progress of recomputing the SLA due times on this calendar after its last change (the calendar page shows it).
    recompute_done = models.PositiveIntegerField(default=0)
    recompute_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def recomputing(self) -> bool:
        return self.recompute_done < self.recompute_total

    @property
    def recompute_percent(self) -> int:
        return 100 * self.recompute_done // self.recompute_total if self.recompute_total else 100

    def schedule(self) -> WeeklySchedule:
        """Return the calendar as the value the business-time functions take."""
        holidays = list(self.holidays.all())
        return WeeklySchedule.from_hours(self.time_zone, self.hours,
                                         holidays=[h.date for h in holidays if not h.yearly],
                                         yearly_holidays=[(h.date.month, h.date.day) for h in holidays if h.yearly])


class Holiday(models.Model):
    """A closed day: once (a bridge day), or every year on the same date (New Year's Day)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)
    yearly = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self) -> str:
        return f"{self.name or 'Holiday'} {self.date}"


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual (agents pick)")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded within capacity")
    SKILLS = "skills", _("Skills-based (least loaded among agents with the skills)")


class RoutingPolicy(models.Model):
    """How conversations of one team or one inbox reach agents (an inbox's policy wins over its team's)."""

    team = models.OneToOneField("accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="routing_policy")
    inbox = models.OneToOneField("inboxes.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="routing_policy")
    strategy = models.CharField(max_length=16, choices=Strategy.choices, default=Strategy.MANUAL)
    #: Assign only while it is open; outside its hours conversations wait in the queue.
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: An assigned conversation whose customer waits this long for an agent's reply goes to someone else.
    idle_reassign_minutes = models.PositiveIntegerField(null=True, blank=True)
    #: The agent round robin gave the last conversation to; the next one goes to the following agent.
    last_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = "routing policies"
        constraints = [models.CheckConstraint(condition=models.Q(team__isnull=True) ^ models.Q(inbox__isnull=True),
                                              name="routing_policy_team_or_inbox")]

    def __str__(self) -> str:
        return f"routing of {self.team or self.inbox}"

    @property
    def is_automatic(self) -> bool:
        return self.strategy != Strategy.MANUAL


class Skill(models.Model):
    """Something an agent knows (a language, a product, a tier); a conversation tagged with its name needs it."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


#: Open conversations an agent holds per channel when nobody set a capacity for them.
DEFAULT_CAPACITY = 10


class AgentRouting(models.Model):
    """An agent's skills and how many open conversations of each channel they can hold at once."""

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="routing")
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")
    #: {"chat": 3, "email": 20}: channel kind -> open conversations; other channels take `default_capacity`.
    capacity = models.JSONField(default=dict, blank=True)
    default_capacity = models.PositiveIntegerField(default=DEFAULT_CAPACITY)

    def __str__(self) -> str:
        return f"routing of {self.agent}"

    def capacity_for(self, kind: str) -> int:
        return int(self.capacity.get(kind, self.default_capacity))


class QueuedConversation(models.Model):
    """A conversation waiting for an agent: nobody could take it when it came (or it was taken back)."""

    conversation = models.OneToOneField("conversations.Conversation", primary_key=True, on_delete=models.CASCADE,
                                        related_name="queued")
    policy = models.ForeignKey(RoutingPolicy, on_delete=models.CASCADE, related_name="queue")
    queued_at = models.DateTimeField()
    #: Why it waits, in words for the queue screen ("everyone is at capacity").
    reason = models.CharField(max_length=200, blank=True)
    #: Left out when it is assigned again: the agent it was taken from for not replying.
    skip_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["queued_at", "conversation_id"]
        indexes = [models.Index(fields=["policy", "queued_at"])]

    def __str__(self) -> str:
        return f"#{self.conversation_id} waiting"


class Assignment(models.Model):
    """Since when a conversation's current agent holds it: the clock reassign-when-idle reads."""

    conversation = models.OneToOneField("conversations.Conversation", primary_key=True, on_delete=models.CASCADE,
                                        related_name="routing_assignment")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"#{self.conversation_id} → {self.agent}"
