"""What reports read: one fact row per conversation kept up to date by events, message sentiment, report e-mails."""
from django.conf import settings
from django.db import models


class ConversationFact(models.Model):
    """A conversation's measures, computed once per change so dashboards add rows instead of reading messages.

    `day`, `hour` and `weekday` are when it was opened, in the workspace's time zone (PARLEY_TIME_ZONE):
    day boundaries in reports are the team's, not UTC's. Dimension ids are plain numbers, not foreign
    keys, so deleting an agent or a team never blocks on (or rewrites) history.
    """

    conversation = models.OneToOneField("conversations.Conversation", primary_key=True, on_delete=models.CASCADE,
                                        related_name="fact")
    inbox_id = models.BigIntegerField()
    channel = models.CharField(max_length=30)
    team_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    #: Monday is 0.
    weekday = models.PositiveSmallIntegerField()
    is_active = models.BooleanField()
    solved = models.BooleanField()
    reopened = models.BooleanField()
    #: Solved with a single reply from us and never reopened: first-contact resolution.
    one_touch = models.BooleanField()
    first_response_seconds = models.PositiveIntegerField(null=True)
    #: The same waits counted only while the routing calendar of the conversation is open (all hours without one).
    first_response_business_seconds = models.PositiveIntegerField(null=True)
    next_response_seconds_total = models.PositiveBigIntegerField(default=0)
    next_response_count = models.PositiveIntegerField(default=0)
    resolution_seconds = models.PositiveIntegerField(null=True)
    resolution_business_seconds = models.PositiveIntegerField(null=True)
    #: The SLA policy the conversation falls under (matched whatever its status), and whether the SLA checker
    #: recorded a breach of any of its targets.
    sla_policy_id = models.BigIntegerField(null=True)
    sla_breached = models.BooleanField(default=False)
    sentiment_total = models.FloatField(default=0)
    sentiment_count = models.PositiveIntegerField(default=0)
    #: The ids of the conversation's tags, in order: the rollup counts the fact in each one's row.
    tag_ids = models.JSONField(default=list)
    #: When the customer started waiting on us (their last message, new or open and not answered since); None otherwise.
    waiting_since = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["day", "inbox_id"]),
            models.Index(fields=["day", "channel"]),
            models.Index(fields=["day", "assignee_id"]),
            models.Index(fields=["day", "team_id"]),
            # The live view's longest wait per channel: the first entry, however many customers wait.
            models.Index(fields=["channel", "waiting_since"], condition=models.Q(waiting_since__isnull=False),
                         name="analytics_fact_waiting"),
        ]

    def __str__(self) -> str:
        return f"facts of #{self.conversation_id}"


class DailyRollup(models.Model):
    """The facts' measures (analytics.measures) added up per local day opened, once for each way a report narrows them.

    Each fact counts in a row of its day for its channel, its inbox, its team, its assignee and each of
    its tags. A report with no filter reads the channel rows; one filtered by a channel, an inbox, a team,
    an agent or a tag reads that one row a day. So a year is a few thousand rows however many
    conversations there are. A filtered report's chart per channel and its agent table read the rows of
    a pair (analytics.measures.PAIRS): one per value of the filter's dimension and of the one grouped by.
    Whenever a fact changes, its rows change by the difference (analytics.services.rollup_move), so each
    stays exactly the sum of its facts; `parley rebuild-reports` makes them anew.
    """

    day = models.DateField()
    #: What `key` names: "channel" (the inbox kind), "inbox", "team", "agent" (an id, "0" for none) or "tag" (an id);
    #: for a pair, "team+agent" say, `key` is the team's and `key2` the agent's.
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=30)
    key2 = models.CharField(max_length=30, default="")
    #: Monday is 0 (the day's weekday, kept for the heat map).
    weekday = models.PositiveSmallIntegerField()
    #: Conversations opened in each local hour of the day, 0 to 23: the heat map's cells (empty in a pair's rows).
    hours = models.JSONField(default=list)
    conversations = models.PositiveIntegerField(default=0)
    first_response_total = models.PositiveBigIntegerField(default=0)
    first_response_count = models.PositiveIntegerField(default=0)
    first_response_business_total = models.PositiveBigIntegerField(default=0)
    first_response_business_count = models.PositiveIntegerField(default=0)
    next_response_total = models.PositiveBigIntegerField(default=0)
    next_response_count = models.PositiveIntegerField(default=0)
    resolution_total = models.PositiveBigIntegerField(default=0)
    resolution_count = models.PositiveIntegerField(default=0)
    resolution_business_total = models.PositiveBigIntegerField(default=0)
    resolution_business_count = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    one_touch = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    sentiment_total = models.FloatField(default=0)
    sentiment_count = models.PositiveIntegerField(default=0)
    sla_conversations = models.PositiveIntegerField(default=0)
    sla_kept = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    unassigned = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)

    class Meta:
        # Dimension and key first: a report reads one dimension's rows, often for one key, over many days.
        constraints = [models.UniqueConstraint(fields=["dimension", "key", "key2", "day"], name="analytics_rollup_bucket_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key} {self.key2}: {self.conversations}"


class AnswerFact(models.Model):
    """A survey answer about a conversation, beside the conversation's channel, inbox, team and assignee.

    A survey KPI narrowed by one of them reads these rows instead of joining each of the period's answers to its
    conversation. A conversation's refresh (analytics.services.fact_refresh) keeps them in step with it, as its fact.
    """

    survey = models.OneToOneField("surveys.Survey", primary_key=True, on_delete=models.CASCADE, related_name="answer_fact")
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="answer_facts")
    kind = models.CharField(max_length=4)
    answered_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(null=True)
    inbox_id = models.BigIntegerField()
    channel = models.CharField(max_length=30)
    team_id = models.BigIntegerField(null=True)
    assignee_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "channel", "answered_at"]),
            models.Index(fields=["kind", "inbox_id", "answered_at"]),
            models.Index(fields=["kind", "team_id", "answered_at"]),
            models.Index(fields=["kind", "assignee_id", "answered_at"]),
        ]

    def __str__(self) -> str:
        return f"answer to survey {self.survey_id}"


class MessageSentiment(models.Model):
    """The sentiment of a customer's message: VADER's compound score, -1 (negative) … 1 (positive)."""

    message = models.OneToOneField("conversations.Message", primary_key=True, on_delete=models.CASCADE, related_name="sentiment")
    conversation_id = models.BigIntegerField(db_index=True)
    score = models.FloatField()

    def __str__(self) -> str:
        return f"{self.score:+.2f} on message {self.message_id}"


class ReportSubscription(models.Model):
    """An agent who gets the dashboard's summary by email every week, with a link to the full report."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription")
    #: Monday is 0.
    weekday = models.PositiveSmallIntegerField(default=0)
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"weekly report for {self.user}"
