"""Customer surveys: CSAT after a solved conversation, NPS campaigns to a segment, CES after a chosen flow."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, gettext_noop


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    NPS = "nps", _("Net Promoter Score (NPS)")
    CES = "ces", _("Customer effort (CES)")


#: The answer scale of each kind, lowest and highest score.
SCALES: dict[str, tuple[int, int]] = {SurveyKind.CSAT: (1, 5), SurveyKind.NPS: (0, 10), SurveyKind.CES: (1, 7)}


class CesTrigger(models.TextChoices):
    """The flows after which a CES survey asks how easy it was."""

    HANDOFF = "handoff", _("After a hand-off to a person (the bot or a rule assigned an agent)")
    ESCALATION = "escalation", _("After an escalation to a higher tier")
    SOLVED = "solved", _("After the conversation is solved")


class SurveySettings(models.Model):
    """The team lead's survey settings: one row, edited on Settings → Surveys."""

    csat_enabled = models.BooleanField(default=True)
    csat_question = models.CharField(max_length=200, default=gettext_noop("How would you rate the support you received?"))
    #: No customer is asked more than once in this many days, whatever the kind of survey.
    throttle_days = models.PositiveIntegerField(default=30)
    ces_enabled = models.BooleanField(default=False)
    ces_trigger = models.CharField(max_length=12, choices=CesTrigger.choices, default=CesTrigger.HANDOFF)
    ces_question = models.CharField(max_length=200, default=gettext_noop("How easy was it to get your issue handled?"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "survey settings"

    def __str__(self) -> str:
        return "Survey settings"


class NpsCampaign(models.Model):
    """Ask a segment of customers (everyone when none) how likely they are to recommend us, every N days."""

    name = models.CharField(max_length=100, unique=True)
    segment = models.ForeignKey("contacts.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    question = models.CharField(max_length=200, default=gettext_noop("How likely are you to recommend us to a friend or colleague?"))
    every_days = models.PositiveIntegerField(default=90)
    is_active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """One question put to one customer, and their answer once they give it (at most once)."""

    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="surveys")
    conversation = models.ForeignKey("conversations.Conversation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="surveys")
    #: The agent the conversation was with when it was asked about: their results come from here.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    campaign = models.ForeignKey(NpsCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    question = models.CharField(max_length=200)
    #: How it was sent: the conversation's channel kind, or "email" for a campaign.
    channel = models.CharField(max_length=30)
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    #: The comment's sentiment, -1 (negative) … 1 (positive), scored by the worker.
    comment_sentiment = models.FloatField(null=True, blank=True)
    #: The event that asked for it: a subscriber that runs twice on one event sends one survey.
    source_event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "sent_at"]),
            models.Index(fields=["kind", "answered_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["kind", "source_event_id"], name="survey_once_per_event")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.contact}"

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.kind]
