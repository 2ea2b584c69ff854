"""Every write for surveys: send one (after a solved conversation, a flow, a campaign), answer it, change the settings."""
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.contacts.models import Contact
from parley.conversations.models import Conversation
from parley.core import events, jobs
from parley.core.errors import ApplicationError, ValidationFailed
from parley.core.i18n import in_language_of
from parley.core.models import surviving
from parley.core.services import audit_record
from parley.surveys.models import SCALES, NpsCampaign, Survey, SurveyKind
from parley.surveys.scores import LABELS
from parley.surveys.selectors import LINK_SALT, recently_surveyed, survey_may_ask, survey_settings

COMMENT_SENTIMENT_QUEUE = "surveys.comment_sentiment"
CAMPAIGN_QUEUE = "surveys.nps_campaign"
MAX_COMMENT = 4000


def survey_link(survey: Survey, *, score: int | None = None) -> str:
    """Return the signed answer link of `survey`; with `score`, the link records that score in one click."""
    url = settings.PARLEY_BASE_URL + reverse("surveys:answer", args=[signing.dumps(survey.pk, salt=LINK_SALT)])
    return url if score is None else f"{url}?score={score}"


def survey_text(survey: Survey) -> str:
    """Return the survey as a plain-text message in the customer's language: the question, a one-click link per score,
    the page's link."""
    low, high = survey.scale
    labels = LABELS[survey.kind]
    with in_language_of(survey.contact):
        # A question left at its default has a translation; one the team wrote is asked as written.
        lines = [gettext(survey.question), "", gettext("Choose a score (one click records it):")]
        for score in range(low, high + 1):
            label = f" – {labels[score]}" if score in labels else ""
            lines.append(f"{score}{label}: {survey_link(survey, score=score)}")
        lines += ["", gettext("Or answer and leave a comment here: %(link)s") % {"link": survey_link(survey)}]
    return "\n".join(lines)


@transaction.atomic
def survey_send_for_conversation(*, conversation_id: int, kind: str, event_id: int) -> Survey | None:
    """Ask the customer of a conversation a CSAT or CES question on the conversation's own channel.

    Returns None when nothing is sent: the kind is switched off, the customer was asked within the
    throttle window, the event was already handled, or the customer cannot be reached.
    """
    conversation = Conversation.objects.select_related("inbox", "contact").filter(pk=conversation_id).first()
    now = timezone.now()
    if (conversation is None or Survey.objects.filter(kind=kind, source_event_id=event_id).exists()
            or not survey_may_ask(conversation=conversation, kind=kind, now=now)):
        return None
    config = survey_settings()
    question = {SurveyKind.CSAT: config.csat_question, SurveyKind.CES: config.ces_question}[kind]
    contact = surviving(conversation.contact)
    adapter = conversation.inbox.adapter
    survey = Survey.objects.create(kind=kind, contact=contact, conversation=conversation, agent_id=conversation.assignee_id,
                                   question=question, channel=conversation.inbox.kind if adapter.can_send else "email",
                                   sent_at=now, source_event_id=event_id)
    if adapter.can_send:
        from parley.conversations.services import message_auto_reply

        message_auto_reply(conversation=conversation, text=survey_text(survey), reason=f"{kind}_survey",
                           data={"survey_id": survey.pk})
    else:
        _mail(survey, contact.email)
    return survey


def _mail(survey: Survey, address: str) -> None:
    # Sent inside the transaction that records the survey: a mail server that refuses rolls the survey back,
    # and the job tries again later, so the customer is never recorded as asked without being asked.
    with in_language_of(survey.contact):
        question = gettext(survey.question)
    send_mail(subject=f"{question} – {settings.PARLEY_COMPANY_NAME}", message=survey_text(survey),
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[address])


@transaction.atomic
def survey_answer(*, survey: Survey, score: int, comment: str = "") -> Survey:
    """Record the customer's answer; a survey is answered once, and a second answer is refused."""
    low, high = SCALES[survey.kind]
    if not isinstance(score, int) or not low <= score <= high:
        raise ValidationFailed(gettext("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high},
                               extra={"score": f"{low} to {high}"})
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(gettext("The comment is at most %(max)s characters.") % {"max": MAX_COMMENT}, extra={"comment": "too long"})
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.answered_at is not None:
        raise ApplicationError(gettext("This survey was already answered."), extra={"score": locked.score}, status=409)
    locked.score, locked.comment, locked.answered_at = score, comment.strip(), timezone.now()
    locked.save(update_fields=["score", "comment", "answered_at"])
    if locked.comment:
        jobs.enqueue(COMMENT_SENTIMENT_QUEUE, locked.pk)
    events.publish("survey.answered", {"survey_id": locked.pk, "kind": locked.kind, "score": score,
                                       "contact_id": locked.contact_id, "conversation_id": locked.conversation_id})
    return locked


@transaction.atomic
def survey_add_comment(*, survey: Survey, comment: str) -> Survey:
    """Add the comment to a survey answered by a one-click score; once, and only while it has none."""
    comment = comment.strip()
    if not comment:
        raise ValidationFailed(gettext("Please write a comment."), extra={"comment": "required"})
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(gettext("The comment is at most %(max)s characters.") % {"max": MAX_COMMENT}, extra={"comment": "too long"})
    updated = Survey.objects.filter(pk=survey.pk, answered_at__isnull=False, comment="").update(comment=comment)
    if not updated:
        raise ApplicationError(gettext("This survey was already answered."), status=409)
    jobs.enqueue(COMMENT_SENTIMENT_QUEUE, survey.pk)
    survey.refresh_from_db()
    return survey


def survey_score_comment(*, survey_id: int) -> None:
    """Score the sentiment of a survey's comment (the worker's job)."""
    from parley.analytics.sentiment import sentiment_score

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is not None and survey.comment:
        Survey.objects.filter(pk=survey_id).update(comment_sentiment=sentiment_score(survey.comment))


@transaction.atomic
def survey_settings_update(*, actor, **fields):
    """Change the survey settings (Settings → Surveys)."""
    require(actor, "survey.manage")
    config = survey_settings()
    changes = {}
    for field, value in fields.items():
        if getattr(config, field) != value:
            changes[field] = [getattr(config, field), value]
            setattr(config, field, value)
    if changes:
        config.save()
        audit_record(actor=actor, action="survey_settings.updated", target=config, changes=changes)
    return config


@transaction.atomic
def nps_campaign_create(*, actor, name: str, segment=None, question: str = "", every_days: int = 90,
                        first_run_at=None) -> NpsCampaign:
    """Create an NPS campaign that asks `segment` (everyone when None) every `every_days` days."""
    require(actor, "survey.manage")
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A campaign needs a name."), extra={"name": "required"})
    if NpsCampaign.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(gettext("A campaign with this name exists."), extra={"name": "taken"})
    if every_days < 1:
        raise ValidationFailed(gettext("A campaign repeats every 1 day or more."), extra={"every_days": "at least 1"})
    campaign = NpsCampaign.objects.create(name=name, segment=segment, every_days=every_days,
                                          question=question.strip() or NpsCampaign._meta.get_field("question").default,
                                          next_run_at=first_run_at or timezone.now())
    audit_record(actor=actor, action="nps_campaign.created", target=campaign)
    return campaign


@transaction.atomic
def nps_campaign_set_active(*, actor, campaign: NpsCampaign, is_active: bool) -> NpsCampaign:
    """Pause or resume a campaign; a resumed campaign that missed its date runs at the next turn of the schedule."""
    require(actor, "survey.manage")
    if campaign.is_active != is_active:
        campaign.is_active = is_active
        campaign.save(update_fields=["is_active"])
        audit_record(actor=actor, action="nps_campaign.resumed" if is_active else "nps_campaign.paused", target=campaign)
    return campaign


def nps_campaigns_start_due() -> int:
    """Queue a run of every active campaign that is due and move it to its next date; return how many."""
    now = timezone.now()
    started = 0
    for campaign in NpsCampaign.objects.filter(is_active=True, next_run_at__lte=now):
        with transaction.atomic():
            # A conditional update: two workers running the schedule start a campaign once.
            won = NpsCampaign.objects.filter(pk=campaign.pk, next_run_at=campaign.next_run_at).update(
                next_run_at=now + timedelta(days=campaign.every_days), last_run_at=now, last_sent=0)
            if won:
                jobs.enqueue(CAMPAIGN_QUEUE, campaign.pk)
                started += 1
    return started


def nps_campaign_run(*, campaign_id: int) -> int:
    """Send the campaign's survey to each customer of its segment who has an email and was not asked lately.

    Each customer is one transaction, and one already asked in this run is skipped: a run that stops
    half-way and is run again carries on where it was.
    """
    campaign = NpsCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.last_run_at is None:
        return 0
    contacts = Contact.objects.filter(merged_into__isnull=True).exclude(email="")
    if campaign.segment_id:
        contacts = contacts.filter(segments=campaign.segment_id)
    sent = 0
    for contact in contacts.iterator():
        with transaction.atomic():
            now = timezone.now()
            if (Survey.objects.filter(campaign=campaign, contact=contact, sent_at__gte=campaign.last_run_at).exists()
                    or recently_surveyed(contact, now)):
                continue
            survey = Survey.objects.create(kind=SurveyKind.NPS, contact=contact, campaign=campaign, question=campaign.question,
                                           channel="email", sent_at=now)
            _mail(survey, contact.email)
            sent += 1
            NpsCampaign.objects.filter(pk=campaign.pk).update(last_sent=sent)
    return sent
