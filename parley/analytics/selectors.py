"""Reads behind the dashboards: series for the charts, the per-agent table, and the live "now" view."""
from datetime import timedelta

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.models import Availability, User
from parley.analytics.kpis import Scope, answered_calls, chat_ratings
from parley.analytics.measures import rollup_key
from parley.analytics.models import ConversationFact, DailyRollup

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _days(scope: Scope) -> list[str]:
    return [(scope.start + timedelta(days=i)).isoformat() for i in range(scope.days)]


def volume_by_day(scope: Scope) -> dict:
    """Conversations opened per local day in the period, beside the same days of the period before."""
    def counts(s: Scope) -> list[int]:
        per_day = {row["day"]: row["conversations"] for row in s.measures_by("day")}
        return [per_day.get(s.start + timedelta(days=i), 0) for i in range(s.days)]

    return {"labels": _days(scope), "current": counts(scope), "previous": counts(scope.previous())}


def volume_by_channel(scope: Scope) -> dict:
    rows = sorted(scope.measures_by("channel"), key=lambda row: (-row["conversations"], row["channel"]))
    return {"labels": [r["channel"] for r in rows], "values": [r["conversations"] for r in rows]}


def volume_heatmap(scope: Scope) -> list[dict]:
    """Conversations opened per (weekday, hour) in the workspace's time zone: 7 × 24 cells, zeros included."""
    counts = scope.volume_by_hour()
    return [{"weekday": WEEKDAYS[d], "hour": h, "count": counts.get((d, h), 0)} for d in range(7) for h in range(24)]


def _on_each_day(scope: Scope, per_day: dict) -> list:
    """The values of `per_day` (keyed by date) for every day of the period; None where a day has none."""
    return [per_day.get(scope.start + timedelta(days=i)) for i in range(scope.days)]


def _minutes(seconds) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def labelled_rows(series: dict) -> list[list]:
    """A labelled series as table rows: the label, then each dataset's value."""
    return [[label, *(dataset["data"][i] for dataset in series["datasets"])] for i, label in enumerate(series["labels"])]


def _average_minutes(total: int, count: int) -> float | None:
    return _minutes(total / count) if count else None


def business_hours_by_day(scope: Scope) -> dict:
    """Average first response and resolution in business-hours minutes, per local day the conversations were opened."""
    rows = {r["day"]: r for r in scope.measures_by("day")}
    first = {d: _average_minutes(r["first_response_business_total"], r["first_response_business_count"]) for d, r in rows.items()}
    resolution = {d: _average_minutes(r["resolution_business_total"], r["resolution_business_count"]) for d, r in rows.items()}
    return {"labels": _days(scope), "chart": "line", "datasets": [
        {"label": gettext("First response (business minutes)"), "data": _on_each_day(scope, first)},
        {"label": gettext("Resolution (business minutes)"), "data": _on_each_day(scope, resolution)}]}


def sla_compliance_by_day(scope: Scope) -> dict:
    """Per local day of opening: the % of conversations under an SLA with no target breached, and how many there were."""
    rows = [r for r in scope.measures_by("day") if r["sla_conversations"]]
    return {"labels": _days(scope), "chart": "line", "datasets": [
        {"label": gettext("SLA kept (%)"), "data": _on_each_day(scope, {r["day"]: round(100 * r["sla_kept"] / r["sla_conversations"], 1)
                                                                for r in rows})},
        {"label": gettext("Conversations under an SLA"), "axis": "count", "data": _on_each_day(scope, {r["day"]: r["sla_conversations"]
                                                                                             for r in rows})}]}


def chat_rating_counts(scope: Scope) -> dict:
    """How many chats were rated 1, 2, 3, 4 and 5 in the period."""
    counts = dict(chat_ratings(scope).values_list("score").annotate(n=Count("pk")).values_list("score", "n"))
    return {"labels": ["1", "2", "3", "4", "5"], "chart": "bar",
            "datasets": [{"label": gettext("Chats rated"), "data": [counts.get(score, 0) for score in range(1, 6)]}]}


def voice_handle_by_day(scope: Scope) -> dict:
    """Average talk minutes of answered inbound calls per local day they started, and how many calls."""
    rows = (answered_calls(scope).annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(talk=Avg("talk_seconds"), calls=Count("pk")))
    return {"labels": _days(scope), "chart": "bar", "datasets": [
        {"label": gettext("Handle time (minutes)"), "data": _on_each_day(scope, {r["day"]: _minutes(r["talk"]) for r in rows})},
        {"label": gettext("Answered calls"), "axis": "count", "data": _on_each_day(scope, {r["day"]: r["calls"] for r in rows})}]}


def _rounded_ratio(total: int, count: int) -> int | None:
    return round(total / count) if count else None


def agent_table(scope: Scope) -> list[dict]:
    """Per assignee: conversations, solved, average first response and resolution (seconds), CSAT % of their surveys."""
    from parley.surveys.models import Survey
    from parley.surveys.scores import good_threshold

    rows = [row for row in scope.measures_by("assignee_id") if row["assignee_id"]]
    names = dict(User.objects.filter(pk__in=[r["assignee_id"] for r in rows]).values_list("pk", "name"))
    start, end = scope.bounds()
    csat = {r["agent_id"]: r for r in Survey.objects.filter(kind="csat", answered_at__gte=start, answered_at__lt=end,
                                                           agent__isnull=False).values("agent_id")
            .annotate(answers=Count("pk"), good=Count("pk", filter=Q(score__gte=good_threshold("csat"))))}
    table = []
    for row in rows:
        answers = csat.get(row["assignee_id"], {"answers": 0, "good": 0})
        table.append({"agent_id": row["assignee_id"], "agent": names.get(row["assignee_id"], f"Agent {row['assignee_id']}"),
                      "conversations": row["conversations"], "solved": row["solved"],
                      "first_response": _rounded_ratio(row["first_response_total"], row["first_response_count"]),
                      "resolution": _rounded_ratio(row["resolution_total"], row["resolution_count"]),
                      "csat_answers": answers["answers"],
                      "csat": round(100 * answers["good"] / answers["answers"], 1) if answers["answers"] else None})
    return sorted(table, key=lambda r: r["agent"])


def live_now() -> dict:
    """What a supervisor watches: open work per channel, waiting customers, agents online and their load.

    The counts add up the rollup's open, unassigned and waiting conversations of every day, and the longest waits
    are the first entries of the waiting facts' index: counting the open conversations themselves reads one row each.
    """
    every_day = DailyRollup.objects.order_by()
    queues = list(every_day.filter(dimension="channel").values(channel=F("key")).annotate(
        open=Sum("active"), unassigned=Sum("unassigned"), waiting=Sum("waiting")).filter(open__gt=0).order_by("channel"))
    now = timezone.now()
    longest = None
    for queue in queues:
        first = (ConversationFact.objects.filter(channel=queue["channel"], waiting_since__isnull=False).order_by("waiting_since")
                 .values("conversation_id", "conversation__subject", "waiting_since").first())
        queue["oldest_wait"] = first and first["waiting_since"]
        queue["longest_wait_seconds"] = int((now - first["waiting_since"]).total_seconds()) if first else None
        if first and (longest is None or first["waiting_since"] < longest["last_inbound_at"]):
            longest = {"pk": first["conversation_id"], "subject": first["conversation__subject"],
                       "last_inbound_at": first["waiting_since"], "seconds": queue["longest_wait_seconds"]}
    load = dict(every_day.filter(dimension="agent").values("key").annotate(load=Sum("active")).values_list("key", "load"))
    online = User.objects.filter(is_active=True).exclude(availability=Availability.OFFLINE).values("pk", "name", "availability")
    agents = sorted(({**agent, "load": load.get(rollup_key(agent["pk"]), 0)} for agent in online),
                    key=lambda agent: (-agent["load"], agent["name"]))
    return {"queues": queues, "agents": agents, "waiting": sum(queue["waiting"] for queue in queues), "longest": longest}


def conversation_sentiment(*, conversation_id: int) -> dict:
    """Return a conversation's customer sentiment for conditions and screens: the last message's score and the average.

    Automation conditions read `sentiment.last` ("the customer's latest message is negative") and
    `sentiment.average`; both are None until the worker has scored a message.
    """
    from parley.analytics.models import MessageSentiment

    scores = list(MessageSentiment.objects.filter(conversation_id=conversation_id).order_by("message_id")
                  .values_list("score", flat=True))
    return {"last": scores[-1] if scores else None, "average": round(sum(scores) / len(scores), 4) if scores else None}
