"""Every write for analytics: keep conversation facts current, score message sentiment, send weekly reports."""
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parley.analytics.models import ConversationFact, MessageSentiment, ReportSubscription
from parley.analytics.sentiment import sentiment_score
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Direction, Message, MessageKind, Status


def _is_our_answer(message: Message) -> bool:
    """A public reply from an agent, the bot or a rule; automatic messages (acknowledgements, surveys) are not answers."""
    return (message.direction == Direction.OUTBOUND and message.kind in (MessageKind.REPLY, MessageKind.BOT)
            and not message.metadata.get("automatic"))


def _is_customer_message(message: Message) -> bool:
    return message.direction == Direction.INBOUND and not message.metadata.get("auto_reply")


def response_times(messages) -> tuple[int | None, list[int]]:
    """Return (first response, next responses) in seconds from a conversation's messages in time order.

    The first response runs from the customer's first message to our first answer. Each next response
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
                seconds = max(int((message.created_at - waiting_since).total_seconds()), 0)
                if answered_once:
                    following.append(seconds)
                else:
                    first = seconds
            answered_once = True
            waiting_since = None
    return first, following


def fact_values(conversation: Conversation, messages: list[Message], sentiments: list[float]) -> dict:
    """Compute a conversation's fact row from it, its messages in time order and its messages' sentiment scores."""
    first, following = response_times(messages)
    answers = sum(1 for m in messages if _is_our_answer(m))
    solved = conversation.status in (Status.SOLVED, Status.CLOSED)
    local = timezone.localtime(conversation.created_at)
    return {
        "inbox_id": conversation.inbox_id, "channel": conversation.inbox.kind, "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id, "created_at": conversation.created_at, "day": local.date(),
        "hour": local.hour, "weekday": local.weekday(),
        "is_active": conversation.status in ACTIVE_STATUSES,
        "solved": solved, "reopened": conversation.reopened_count > 0,
        "one_touch": solved and conversation.reopened_count == 0 and answers == 1,
        "first_response_seconds": first, "next_response_seconds_total": sum(following),
        "next_response_count": len(following),
        "resolution_seconds": max(int((conversation.solved_at - conversation.created_at).total_seconds()), 0)
        if solved and conversation.solved_at else None,
        "sentiment_total": sum(sentiments), "sentiment_count": len(sentiments),
    }


_MESSAGE_FIELDS = ("conversation_id", "direction", "kind", "metadata", "created_at")


@transaction.atomic
def fact_refresh(*, conversation_id: int) -> ConversationFact | None:
    """Recompute one conversation's facts from scratch: idempotent, so a repeated event changes nothing.

    A conversation merged into another has none: its messages and its customer's wait count in the one it joined.
    """
    conversation = Conversation.objects.select_related("inbox").filter(pk=conversation_id).first()
    if conversation is None or conversation.merged_into_id:
        ConversationFact.objects.filter(conversation_id=conversation_id).delete()
        return None
    messages = list(conversation.messages.only(*_MESSAGE_FIELDS).order_by("created_at", "id"))
    sentiments = list(MessageSentiment.objects.filter(conversation_id=conversation_id).values_list("score", flat=True))
    fact, _ = ConversationFact.objects.update_or_create(conversation=conversation,
                                                        defaults=fact_values(conversation, messages, sentiments))
    return fact


@transaction.atomic
def facts_rebuild_batch(*, conversation_ids: list[int]) -> int:
    """Recompute the facts of many conversations with a few queries: replaced wholesale, in one transaction."""
    conversations = list(Conversation.objects.select_related("inbox").filter(pk__in=conversation_ids, merged_into__isnull=True))
    messages: dict[int, list[Message]] = {c.pk: [] for c in conversations}
    for message in Message.objects.filter(conversation_id__in=conversation_ids).only(*_MESSAGE_FIELDS).order_by("created_at", "id"):
        messages[message.conversation_id].append(message)
    sentiments: dict[int, list[float]] = {c.pk: [] for c in conversations}
    for conversation_id, score in MessageSentiment.objects.filter(conversation_id__in=conversation_ids).values_list(
            "conversation_id", "score"):
        sentiments[conversation_id].append(score)
    ConversationFact.objects.filter(conversation_id__in=conversation_ids).delete()
    ConversationFact.objects.bulk_create([
        ConversationFact(conversation=c, **fact_values(c, messages[c.pk], sentiments[c.pk])) for c in conversations])
    return len(conversations)


def facts_rebuild(*, progress=None, batch: int = 2000) -> int:
    """Recompute every conversation's facts (after a change of time zone, or to fill them the first time)."""
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        facts_rebuild_batch(conversation_ids=ids[start:start + batch])
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return len(ids)


@transaction.atomic
def message_sentiment_record(*, message_id: int) -> MessageSentiment | None:
    """Score a customer message's sentiment and add it to its conversation's facts."""
    message = Message.objects.filter(pk=message_id, direction=Direction.INBOUND).only("conversation_id", "text").first()
    if message is None:
        return None
    record, _ = MessageSentiment.objects.update_or_create(
        message_id=message.pk, defaults={"conversation_id": message.conversation_id, "score": sentiment_score(message.text)})
    fact_refresh(conversation_id=message.conversation_id)
    return record


@transaction.atomic
def report_subscription_set(*, user, weekday: int) -> ReportSubscription:
    """Send `user` the weekly report on `weekday` (Monday is 0)."""
    from parley.accounts.permissions import require
    from parley.core.errors import ValidationFailed

    require(user, "report.view")
    if weekday not in range(7):
        raise ValidationFailed("Choose a day of the week.", extra={"weekday": "0 (Monday) to 6 (Sunday)"})
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
        values = kpi_values(scope)
        lines = [f"{row['label']}: {row['display']} (previous week: {row['previous_display']})" for row in values]
        link = f"{settings.PARLEY_BASE_URL}{reverse('analytics:dashboard')}?{scope.querystring()}"
        send_mail(subject=f"Weekly support report {scope.start:%d %b} – {scope.end:%d %b %Y}",
                  message="\n".join([f"Hello {subscription.user},", "", *lines, "", f"The full report with charts: {link}"]),
                  from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[subscription.user.email])
        sent += 1
    return sent
