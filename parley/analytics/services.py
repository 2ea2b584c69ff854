"""Every write for analytics: keep conversation facts current, score message sentiment, send weekly reports."""
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from parley.analytics.measures import DIMENSIONS, FACT_MEASURES, PAIRS, TAG_DIMENSION, filled, pair_dimension, rollup_key
from parley.analytics.models import AnswerFact, ConversationFact, DailyRollup, MessageSentiment, ReportSubscription
from parley.analytics.sentiment import sentiment_score
from parley.core.i18n import in_language_of
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Direction, Message, MessageKind, Status
from parley.routing.hours import WeeklySchedule, minutes_between
from parley.routing.selectors import BusinessSchedules
from parley.sla.services import active_policies, policies_matching


def _is_our_answer(message: Message) -> bool:
    """A public reply from an agent, the bot or a rule; automatic messages (acknowledgements, surveys) are not answers."""
    return (message.direction == Direction.OUTBOUND and message.kind in (MessageKind.REPLY, MessageKind.BOT)
            and not message.metadata.get("automatic"))


def _is_customer_message(message: Message) -> bool:
    return message.direction == Direction.INBOUND and not message.metadata.get("auto_reply")


def response_waits(messages) -> tuple[tuple[datetime, datetime] | None, list[tuple[datetime, datetime]]]:
    """Return (first wait, next waits) as (customer wrote, we answered) pairs from a conversation's messages in time order.

    The first wait runs from the customer's first message to our first answer. Each next wait
    runs from the first customer message after one of our answers to our following answer; further
    customer messages in between do not restart the clock.
    """
    first, following = None, []
    waiting_since = None
    answered_once = False
    for message in messages:
        if _is_customer_message(message):
            waiting_since = waiting_since or message.created_at
        elif _is_our_answer(message):
            if waiting_since is not None:
                wait = (waiting_since, max(message.created_at, waiting_since))
                if answered_once:
                    following.append(wait)
                else:
                    first = wait
            answered_once = True
            waiting_since = None
    return first, following


def _seconds(start: datetime, end: datetime, schedule: WeeklySchedule | None = None) -> int:
    """Seconds from `start` to `end`: every second, or only those the calendar `schedule` is open."""
    return max(round(minutes_between(schedule, start, end) * 60), 0)


def fact_values(conversation: Conversation, messages: list[Message], sentiments: list[float],
                schedule: WeeklySchedule | None = None, sla_policy_id: int | None = None, tag_ids=()) -> dict:
    """Compute a conversation's fact row from it, its messages in time order, their sentiment scores and its tags' ids.

    `schedule` is the routing calendar's opening hours: the business-hours times count only its open seconds.
    `sla_policy_id` is the SLA policy it falls under; the SLA checker leaves a timeline event on each breach.
    """
    first, following = response_waits(messages)
    answers = sum(1 for m in messages if _is_our_answer(m))
    solved = conversation.status in (Status.SOLVED, Status.CLOSED)
    resolved = (conversation.created_at, max(conversation.solved_at, conversation.created_at)) \
        if solved and conversation.solved_at else None
    local = timezone.localtime(conversation.created_at)
    return {
        "inbox_id": conversation.inbox_id, "channel": conversation.inbox.kind, "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id, "created_at": conversation.created_at, "day": local.date(),
        "hour": local.hour, "weekday": local.weekday(),
        "is_active": conversation.status in ACTIVE_STATUSES,
        "solved": solved, "reopened": conversation.reopened_count > 0,
        "one_touch": solved and conversation.reopened_count == 0 and answers == 1,
        "first_response_seconds": first and _seconds(*first),
        "first_response_business_seconds": first and _seconds(*first, schedule),
        "next_response_seconds_total": sum(_seconds(*wait) for wait in following),
        "next_response_count": len(following),
        "resolution_seconds": resolved and _seconds(*resolved),
        "resolution_business_seconds": resolved and _seconds(*resolved, schedule),
        "sla_policy_id": sla_policy_id,
        "sla_breached": any(m.kind == MessageKind.EVENT and m.metadata.get("sla_breached") for m in messages),
        "sentiment_total": sum(sentiments), "sentiment_count": len(sentiments), "tag_ids": sorted(tag_ids),
        "waiting_since": conversation.last_inbound_at if _waiting(conversation) else None,
    }


def _waiting(conversation: Conversation) -> bool:
    """Waiting on us: the customer wrote last (new or open, and nothing from us since their last message)."""
    return (conversation.status in (Status.NEW, Status.OPEN) and conversation.last_inbound_at is not None
            and (conversation.first_response_at is None or conversation.last_inbound_at > conversation.first_response_at))


def _answer_values(survey, conversation: Conversation) -> dict:
    """An answer fact's fields from an answered survey and the conversation it is about."""
    return {"survey_id": survey.pk, "conversation_id": conversation.pk, "kind": survey.kind, "answered_at": survey.answered_at,
            "score": survey.score, "inbox_id": conversation.inbox_id, "channel": conversation.inbox.kind,
            "team_id": conversation.team_id, "assignee_id": conversation.assignee_id}


def _answered(conversation_ids):
    from parley.surveys.models import Survey

    return Survey.objects.filter(conversation_id__in=conversation_ids, answered_at__isnull=False)


def _answer_facts_sync(conversation: Conversation) -> None:
    """Make the conversation's answer facts its answered surveys with its channel, inbox, team and assignee now.

    One query reads the surveys with their answer facts, and rows that already say so are left alone: most
    refreshes change no answer and write nothing here. An answer fact goes with its survey or its conversation
    when either is deleted, and an answer is never taken back, so there is none to remove.
    """
    for survey in _answered([conversation.pk]).select_related("answer_fact"):
        values = _answer_values(survey, conversation)
        held = getattr(survey, "answer_fact", None)
        if held is None or any(getattr(held, field) != value for field, value in values.items()):
            AnswerFact(**values).save()


#: Rollup rows read and written at a time when it is rebuilt.
BATCH_ROWS = 2000
_MESSAGE_FIELDS = ("conversation_id", "direction", "kind", "metadata", "created_at")


@transaction.atomic
def fact_refresh(*, conversation_id: int) -> ConversationFact | None:
    """Recompute one conversation's facts from scratch: idempotent, so a repeated event changes nothing.

    A conversation merged into another has none: its messages and its customer's wait count in the one it joined.
    """
    conversation = Conversation.objects.select_related("inbox").filter(pk=conversation_id).first()
    # Lock the row before reading what it sums: a score added meanwhile (message_sentiment_record) is then either
    # seen here or added after this write, never lost.
    fact = ConversationFact.objects.select_for_update().filter(conversation_id=conversation_id).first()
    before = _share(fact)
    if conversation is not None:
        # A merged conversation keeps its answers: a survey stays about the conversation it was sent for.
        _answer_facts_sync(conversation)
    if conversation is None or conversation.merged_into_id:
        if fact is not None:
            fact.delete()
            rollup_move(before=before, after=None)
        return None
    messages = list(conversation.messages.only(*_MESSAGE_FIELDS).order_by("created_at", "id"))
    sentiments = list(MessageSentiment.objects.filter(conversation_id=conversation_id).values_list("score", flat=True))
    schedule = BusinessSchedules().for_conversation(conversation)
    sla_policy_id = policies_matching(conversation_ids=[conversation_id])[conversation_id]
    tag_ids = Conversation.tags.through.objects.filter(conversation_id=conversation_id).values_list("tag_id", flat=True)
    values = fact_values(conversation, messages, sentiments, schedule, sla_policy_id, tag_ids)
    if fact is None:
        fact = ConversationFact.objects.create(conversation=conversation, **values)
    elif any(getattr(fact, field) != value for field, value in values.items()):
        for field, value in values.items():
            setattr(fact, field, value)
        fact.save()
    else:
        return fact
    rollup_move(before=before, after=_share(fact))
    return fact


#: A rollup row: (day, dimension, key, key2).
Bucket = tuple[date, str, str, str]
#: What one fact adds to the rollup: its row in each dimension, its hour, and its measures.
Share = tuple[tuple[Bucket, ...], int, dict]


def _buckets(day: date, values: dict) -> tuple[Bucket, ...]:
    """The rollup rows a fact with these field `values` counts in on `day`."""
    keys = {**{dimension: [rollup_key(values[field])] for dimension, field in DIMENSIONS.items()},
            TAG_DIMENSION: [rollup_key(tag_id) for tag_id in values["tag_ids"]]}
    return (*((day, dimension, key, "") for dimension, each in keys.items() for key in each),
            *((day, pair_dimension(narrowed, grouped), key, key2)
              for narrowed, grouped in PAIRS for key in keys[narrowed] for key2 in keys[grouped]))


def _share(fact: ConversationFact | None) -> Share | None:
    if fact is None:
        return None
    # The rollup's own aggregates over this one row, so a fact counts exactly as a rebuild would count it.
    measures = filled(ConversationFact.objects.filter(pk=fact.pk).aggregate(**FACT_MEASURES))
    return _buckets(fact.day, {field: getattr(fact, field) for field in (*DIMENSIONS.values(), "tag_ids")}), fact.hour, measures


def _hours(per_hour: dict[int, int]) -> list[int]:
    return [per_hour.get(hour, 0) for hour in range(24)]


def rollup_move(*, before: Share | None, after: Share | None) -> None:
    """Take a fact's old share out of the rollup and put its new one in (inside the caller's transaction).

    The sums change by the difference alone, so a refresh costs the same however many conversations
    the day has: the rows the fact stays in change in place, in one UPDATE for all of them, and only
    the rows it leaves or joins (a reassignment's agent rows, a tag taken off or put on) lose or gain
    it whole. The caller holds the fact's row lock, so its old share is the one the rollup counts.
    """
    old = set(before[0]) if before else set()
    new = set(after[0]) if after else set()
    if old & new:
        changes = {name: after[2][name] - before[2][name] for name in FACT_MEASURES if after[2][name] != before[2][name]}
        _rollup_add(old & new, changes, {before[1]: -1, after[1]: 1} if before[1] != after[1] else {})
    if old - new:
        _rollup_add(old - new, {name: -value for name, value in before[2].items() if value}, {before[1]: -1})
    if new - old:
        _rollup_add(new - old, {name: value for name, value in after[2].items() if value}, {after[1]: 1})


def _rollup_add(buckets: set[Bucket], changes: dict, hours: dict[int, int]) -> None:
    if not changes and not hours:
        return
    matching = Q()
    for day, dimension, key, key2 in buckets:
        matching |= Q(day=day, dimension=dimension, key=key, key2=key2)
    rows = DailyRollup.objects.filter(matching)
    if any(change > 0 for change in hours.values()):
        # A fact joining rows: they may not be there yet (one statement for all). Otherwise the fact already counts in them.
        DailyRollup.objects.bulk_create([DailyRollup(day=day, dimension=dimension, key=key, key2=key2, weekday=day.weekday())
                                         for day, dimension, key, key2 in sorted(buckets)], ignore_conflicts=True)
    if hours:
        # A row missing here is one a fact leaves after a rebuild dropped it: a tag deleted since. The heat map reads
        # no pair of dimensions, so a pair's rows keep no hours.
        for row in rows.filter(key2="").select_for_update().order_by("pk"):
            per_hour = dict(enumerate(row.hours or _hours({})))
            for hour, change in hours.items():
                per_hour[hour] = per_hour.get(hour, 0) + change
            row.hours = _hours(per_hour)
            row.save(update_fields=["hours"])
    if changes:
        rows.update(**{name: F(name) + change for name, change in changes.items()})
    if changes.get("conversations", 0) < 0:
        rows.filter(conversations=0).delete()


def _per_hour(facts, field: str) -> dict[tuple[date, str], dict[int, int]]:
    """How many of `facts` were opened in each local hour, per day and rollup key of `field`."""
    per_hour: dict[tuple[date, str], dict[int, int]] = {}
    for day, value, hour, count in (facts.values_list("day", field, "hour").annotate(n=Count("pk"))
                                    .values_list("day", field, "hour", "n").order_by()):
        per_hour.setdefault((day, rollup_key(value)), {})[hour] = count
    return per_hour


@transaction.atomic
def rollup_rebuild(*, facts=ConversationFact, rollup=DailyRollup) -> int:
    """Replace the whole rollup with sums of the facts; return how many rows it has.

    `facts` and `rollup` are the models to use: a migration passes its historical ones.
    """
    rollup.objects.all().delete()
    # A migration's historical rollup has the measures of its time only.
    columns = {field.name for field in rollup._meta.get_fields()}
    measures = {name: aggregate for name, aggregate in FACT_MEASURES.items() if name in columns}
    # The tags' rows join each fact to its conversation's tags, which its tag_ids repeat since its last refresh.
    fields = {**DIMENSIONS, TAG_DIMENSION: "conversation__tags"}
    made = 0
    groupings = [*((dimension, (field,)) for dimension, field in fields.items()),
                 *((pair_dimension(narrowed, grouped), (fields[narrowed], fields[grouped])) for narrowed, grouped in PAIRS)]
    for dimension, grouping in groupings:
        tagged = "conversation__tags" in grouping
        counted = facts.objects.filter(conversation__tags__isnull=False) if tagged else facts.objects.all()
        # The heat map reads no pair of dimensions, so a pair's rows keep no hours.
        per_hour = _per_hour(counted, grouping[0]) if len(grouping) == 1 else None
        rows = []
        for row in counted.values("day", *grouping).annotate(**measures).order_by().iterator(chunk_size=BATCH_ROWS):
            key, key2 = [rollup_key(row[field]) for field in grouping] + [""] * (2 - len(grouping))
            rows.append(rollup(day=row["day"], dimension=dimension, key=key, key2=key2, weekday=row["day"].weekday(),
                               hours=_hours(per_hour[row["day"], key]) if per_hour is not None else [],
                               **filled({name: row[name] for name in measures})))
            if len(rows) == BATCH_ROWS:
                rollup.objects.bulk_create(rows)
                made, rows = made + len(rows), []
        rollup.objects.bulk_create(rows)
        made += len(rows)
    return made


@transaction.atomic
def facts_rebuild_batch(*, conversation_ids: list[int], policies: list | None = None) -> int:
    """Recompute the facts of many conversations with a few queries: replaced wholesale, in one transaction.

    `policies` are the active SLA policies, read once for many batches (read here when not given).
    """
    every = list(Conversation.objects.select_related("inbox").filter(pk__in=conversation_ids))
    AnswerFact.objects.filter(conversation_id__in=conversation_ids).delete()
    by_id = {c.pk: c for c in every}
    AnswerFact.objects.bulk_create([AnswerFact(**_answer_values(survey, by_id[survey.conversation_id]))
                                    for survey in _answered(conversation_ids)])
    conversations = [c for c in every if not c.merged_into_id]
    messages: dict[int, list[Message]] = {c.pk: [] for c in conversations}
    for message in Message.objects.filter(conversation_id__in=conversation_ids).only(*_MESSAGE_FIELDS).order_by("created_at", "id"):
        messages[message.conversation_id].append(message)
    sentiments: dict[int, list[float]] = {c.pk: [] for c in conversations}
    for conversation_id, score in MessageSentiment.objects.filter(conversation_id__in=conversation_ids).values_list(
            "conversation_id", "score"):
        sentiments[conversation_id].append(score)
    schedules = BusinessSchedules()
    sla_policies = policies_matching(conversation_ids=conversation_ids, policies=policies)
    tag_ids: dict[int, list[int]] = {c.pk: [] for c in conversations}
    for conversation_id, tag_id in Conversation.tags.through.objects.filter(
            conversation_id__in=list(tag_ids)).values_list("conversation_id", "tag_id"):
        tag_ids[conversation_id].append(tag_id)
    ConversationFact.objects.filter(conversation_id__in=conversation_ids).delete()
    ConversationFact.objects.bulk_create([
        ConversationFact(conversation=c, **fact_values(c, messages[c.pk], sentiments[c.pk], schedules.for_conversation(c),
                                                       sla_policies.get(c.pk), tag_ids[c.pk]))
        for c in conversations])
    return len(conversations)


def facts_rebuild(*, progress=None, batch: int = 2000) -> int:
    """Recompute every conversation's facts (after a change of time zone, or to fill them the first time), then the rollup."""
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    policies = active_policies()
    for start in range(0, len(ids), batch):
        facts_rebuild_batch(conversation_ids=ids[start:start + batch], policies=policies)
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    rollup_rebuild()
    return len(ids)


@transaction.atomic
def message_sentiment_record(*, message_id: int) -> MessageSentiment | None:
    """Score a customer message's sentiment and add it to its conversation's facts."""
    message = Message.objects.filter(pk=message_id, direction=Direction.INBOUND).only("conversation_id", "text").first()
    if message is None:
        return None
    score = sentiment_score(message.text)
    record = MessageSentiment.objects.filter(message_id=message.pk).first()
    if record is not None and record.score == score:
        return record
    if record is not None:
        record.score = score
        record.save(update_fields=["score"])
        fact_refresh(conversation_id=message.conversation_id)
        return record
    record = MessageSentiment.objects.create(message_id=message.pk, conversation_id=message.conversation_id, score=score)
    # A first score changes only the sentiment sums (whatever else a customer's message changes, their wait say, its
    # own message.created refresh takes care of), so it is added to the sums in place, the fact's and its rollup
    # rows', instead of recomputing the conversation from all its messages. The fact is locked first, as fact_refresh
    # does.
    facts = ConversationFact.objects.filter(conversation_id=message.conversation_id)
    fact = facts.select_for_update().values("day", *DIMENSIONS.values(), "tag_ids").first()
    if fact is None:
        fact_refresh(conversation_id=message.conversation_id)
        return record
    added = {"sentiment_total": F("sentiment_total") + score, "sentiment_count": F("sentiment_count") + 1}
    facts.update(**added)
    rows = Q()
    for day, dimension, key, key2 in _buckets(fact["day"], fact):
        rows |= Q(day=day, dimension=dimension, key=key, key2=key2)
    DailyRollup.objects.filter(rows).update(**added)
    return record


@transaction.atomic
def report_subscription_set(*, user, weekday: int) -> ReportSubscription:
    """Send `user` the weekly report on `weekday` (Monday is 0)."""
    from parley.accounts.permissions import require
    from parley.core.errors import ValidationFailed

    require(user, "report.view")
    if weekday not in range(7):
        raise ValidationFailed(gettext("Choose a day of the week."), extra={"weekday": "0 (Monday) to 6 (Sunday)"})
    subscription, _ = ReportSubscription.objects.update_or_create(user=user, defaults={"weekday": weekday})
    return subscription


def report_subscription_cancel(*, user) -> None:
    ReportSubscription.objects.filter(user=user).delete()


def weekly_reports_send() -> int:
    """Email each subscriber whose day it is the past week's KPIs with a link to the dashboard; once a day at most."""
    from parley.analytics.kpis import Scope, kpi_values

    today = timezone.localdate()
    scope = Scope(start=today - timedelta(days=7), end=today - timedelta(days=1))
    sent = 0
    for subscription in ReportSubscription.objects.select_related("user").filter(weekday=today.weekday()).exclude(last_sent_on=today):
        # Claimed first: two workers running the schedule send it once.
        if not ReportSubscription.objects.filter(pk=subscription.pk).exclude(last_sent_on=today).update(last_sent_on=today):
            continue
        link = f"{settings.PARLEY_BASE_URL}{reverse('analytics:dashboard')}?{scope.querystring()}"
        with in_language_of(subscription.user):
            lines = [gettext("%(kpi)s: %(value)s (previous week: %(before)s)")
                     % {"kpi": row["label"], "value": row["display"], "before": row["previous_display"]} for row in kpi_values(scope)]
            subject = gettext("Weekly support report %(start)s – %(end)s") % {
                "start": date_format(scope.start, "j M"), "end": date_format(scope.end, "j M Y")}
            body = "\n".join([gettext("Hello %(name)s,") % {"name": subscription.user}, "", *lines, "",
                              gettext("The full report with charts: %(link)s") % {"link": link}])
        send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[subscription.user.email])
        sent += 1
    return sent
