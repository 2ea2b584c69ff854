from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_HANDOVER_PHRASES = ("agent, human, person, someone, operator, representative, "
                            "mitarbeiter, mensch, humain, conseiller, personne, agente, humano, persona")


class BotSettings(models.Model):
    """The bot on one inbox: whether it answers, how sure it must be, and when it hands over."""

    inbox = models.OneToOneField("inboxes.Inbox", on_delete=models.CASCADE, related_name="bot_settings")
    enabled = models.BooleanField(default=False)
    #: An answer's score (0–1, search.search_articles) must reach this for the bot to give it.
    threshold = models.FloatField(default=0.3)
    #: Words or phrases (comma separated, any language) with which a customer asks for a person.
    handover_phrases = models.TextField(default=DEFAULT_HANDOVER_PHRASES)
    #: After this many answers the customer says did not help, a person takes over.
    max_unhelpful = models.PositiveSmallIntegerField(default=2)
    locale = models.CharField(max_length=12, default="en")

    class Meta:
        verbose_name_plural = "bot settings"

    def phrases(self) -> list[str]:
        return [p.strip().lower() for p in self.handover_phrases.replace("\n", ",").split(",") if p.strip()]


class BotState(models.TextChoices):
    ANSWERING = "answering", _("Answering")
    AWAITING_FEEDBACK = "awaiting_feedback", _("Asked whether it helped")
    HANDED_OVER = "handed_over", _("Handed over")


class BotConversation(models.Model):
    """Where the bot stands in one conversation."""

    conversation = models.OneToOneField("conversations.Conversation", on_delete=models.CASCADE, related_name="bot")
    state = models.CharField(max_length=20, choices=BotState.choices, default=BotState.ANSWERING)
    unhelpful_turns = models.PositiveSmallIntegerField(default=0)


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    HELPED = "helped", _("Customer said it helped")
    NOT_HELPED = "not_helped", _("Customer said it did not help")
    HANDOVER_ASKED = "handover_asked", _("Handed over: asked for a person")
    HANDOVER_LOW_CONFIDENCE = "handover_low_confidence", _("Handed over: no confident answer")
    HANDOVER_UNHELPFUL = "handover_unhelpful", _("Handed over: answers did not help")
    HANDOVER_UPSET = "handover_upset", _("Handed over: customer upset")


HANDOVER_OUTCOMES = (Outcome.HANDOVER_ASKED, Outcome.HANDOVER_LOW_CONFIDENCE, Outcome.HANDOVER_UNHELPFUL, Outcome.HANDOVER_UPSET)


class BotTurn(models.Model):
    """One customer message the bot read: the question, the articles it found, their best score and what it did."""

    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="bot_turns")
    #: The customer's message; one turn per message, so a job that runs twice answers once.
    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="bot_turn")
    question = models.TextField()
    article_ids = models.JSONField(default=list)
    score = models.FloatField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    answer_ms = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
