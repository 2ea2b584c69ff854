"""Reads for surveys: the settings row, a survey behind a signed link, results for a conversation, customer or agent."""
from datetime import timedelta

from django.core import signing
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from parley.core.errors import NotFound
from parley.core.i18n import in_language_of
from parley.core.models import surviving
from parley.surveys.models import NpsCampaign, Survey, SurveyKind, SurveySettings

#: Salt of the signed answer links, so a token signed for anything else never opens a survey.
LINK_SALT = "parley.surveys.answer"
#: A conversation solved longer ago than this is not asked about (history replayed by an import or the demo).
CSAT_TOO_LATE = timedelta(days=7)


def survey_settings() -> SurveySettings:
    """Return the one settings row, created with the defaults on first use."""
    return SurveySettings.objects.get_or_create(pk=1)[0]


def recently_surveyed(contact, now) -> bool:
    """Tell whether the customer was asked a survey within the throttle window (then they are not asked again)."""
    days = survey_settings().throttle_days
    return days > 0 and Survey.objects.filter(contact=contact, sent_at__gt=now - timedelta(days=days)).exists()


def survey_may_ask(*, conversation, kind: str, now) -> bool:
    """Tell whether the customer of `conversation` may be asked a `kind` question about it now.

    The kind is switched on, a CSAT question follows the solve closely enough, the customer was not
    asked within the throttle window, and the conversation's channel (or their email) reaches them.
    """
    config = survey_settings()
    if not {SurveyKind.CSAT: config.csat_enabled, SurveyKind.CES: config.ces_enabled}[kind]:
        return False
    if kind == SurveyKind.CSAT and conversation.solved_at and conversation.solved_at < now - CSAT_TOO_LATE:
        return False
    contact = surviving(conversation.contact)
    return not recently_surveyed(contact, now) and (conversation.inbox.adapter.can_send or bool(contact.email))


def csat_will_ask(*, conversation) -> bool:
    """Tell whether the customer of a just-solved conversation is asked the CSAT question about it: already, or next.

    The chat widget asks for a rating of its own only when they are not: a visitor is asked once.
    """
    if not survey_settings().csat_enabled:
        return False
    asked = Survey.objects.filter(conversation=conversation, kind=SurveyKind.CSAT)
    if conversation.solved_at and asked.filter(sent_at__gte=conversation.solved_at).exists():
        return True
    return survey_may_ask(conversation=conversation, kind=SurveyKind.CSAT, now=timezone.now())


def survey_for_token(*, token: str) -> Survey:
    """Return the survey a signed link names; raise NotFound for a link that was not signed by us."""
    try:
        survey_id = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise NotFound(gettext("This survey link is not valid.")) from None
    survey = Survey.objects.select_related("contact", "conversation").filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(gettext("This survey no longer exists."))
    return survey


def surveys_for_conversation(*, conversation_id: int) -> QuerySet[Survey]:
    return Survey.objects.filter(conversation_id=conversation_id).select_related("agent")


def surveys_for_contact(*, contact_id: int, limit: int = 10) -> QuerySet[Survey]:
    return Survey.objects.filter(contact_id=contact_id).select_related("conversation")[:limit]


def survey_results_by_agent(*, kind: str, since=None, until=None, agent_id: int | None = None) -> list[dict]:
    """Return each agent's (or one agent's) answered surveys of `kind`: count, average score, share of good answers."""
    from parley.surveys.scores import good_threshold

    answered = Survey.objects.filter(kind=kind, answered_at__isnull=False, agent__isnull=False)
    if agent_id is not None:
        answered = answered.filter(agent_id=agent_id)
    if since is not None:
        answered = answered.filter(answered_at__gte=since)
    if until is not None:
        answered = answered.filter(answered_at__lt=until)
    rows = (answered.values("agent_id", "agent__name")
            .annotate(answers=Count("id"), average=Avg("score"), good=Count("id", filter=Q(score__gte=good_threshold(kind))))
            .order_by("agent__name"))
    return [{**row, "good_percent": round(100 * row["good"] / row["answers"], 1)} for row in rows]


def survey_recent_answers_for_agent(*, agent_id: int, limit: int = 5) -> QuerySet[Survey]:
    return Survey.objects.filter(agent_id=agent_id, answered_at__isnull=False).select_related("conversation").order_by(
        "-answered_at")[:limit]


def nps_campaign_list() -> QuerySet[NpsCampaign]:
    return NpsCampaign.objects.select_related("segment")


def survey_card(*, survey_id: int) -> dict | None:
    """Return a survey as a card a customer answers in place (the chat widget): the question, the scores with their
    words, and the answer once given."""
    from parley.surveys.scores import LABELS

    survey = Survey.objects.filter(pk=survey_id).select_related("contact").first()
    if survey is None:
        return None
    low, high = survey.scale
    # The score words in the customer's language, like the question the survey was sent with.
    with in_language_of(survey.contact):
        scores = [[score, str(LABELS[survey.kind].get(score, ""))] for score in range(low, high + 1)]
    return {"id": survey.pk, "kind": survey.kind, "question": survey.question, "scores": scores,
            "score": survey.score, "comment": survey.comment}
