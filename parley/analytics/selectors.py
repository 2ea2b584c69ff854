"""Reads behind the dashboards: series for the charts, the per-agent table, and the live "now" view."""
from datetime import timedelta

from django.db.models import Avg, Count, F, Min, Q
from django.utils import timezone

from parley.accounts.models import Availability, User
from parley.analytics.kpis import Scope
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Status

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def volume_by_day(scope: Scope) -> dict:
    """Conversations opened per local day in the period, beside the same days of the period before."""
    def counts(s: Scope) -> list[int]:
        per_day = dict(s.facts().values_list("day").annotate(n=Count("pk")).values_list("day", "n"))
        return [per_day.get(s.start + timedelta(days=i), 0) for i in range(s.days)]

    return {"labels": [(scope.start + timedelta(days=i)).isoformat() for i in range(scope.days)],
            "current": counts(scope), "previous": counts(scope.previous())}


def volume_by_channel(scope: Scope) -> dict:
    rows = scope.facts().values("channel").annotate(n=Count("pk")).order_by("-n", "channel")
    return {"labels": [r["channel"] for r in rows], "values": [r["n"] for r in rows]}


def volume_heatmap(scope: Scope) -> list[dict]:
    """Conversations opened per (weekday, hour) in the workspace's time zone: 7 × 24 cells, zeros included."""
    counts = {(r["weekday"], r["hour"]): r["n"] for r in scope.facts().values("weekday", "hour").annotate(n=Count("pk"))}
    return [{"weekday": WEEKDAYS[d], "hour": h, "count": counts.get((d, h), 0)} for d in range(7) for h in range(24)]


def agent_table(scope: Scope) -> list[dict]:
    """Per assignee: conversations, solved, average first response and resolution (seconds), CSAT % of their surveys."""
    from parley.surveys.models import Survey
    from parley.surveys.scores import good_threshold

    rows = (scope.facts().filter(assignee_id__isnull=False).values("assignee_id")
            .annotate(conversations=Count("pk"), solved=Count("pk", filter=Q(solved=True)),
                      first_response=Avg("first_response_seconds"), resolution=Avg("resolution_seconds")))
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
                      "first_response": None if row["first_response"] is None else round(row["first_response"]),
                      "resolution": None if row["resolution"] is None else round(row["resolution"]),
                      "csat_answers": answers["answers"],
                      "csat": round(100 * answers["good"] / answers["answers"], 1) if answers["answers"] else None})
    return sorted(table, key=lambda r: r["agent"])


def live_now() -> dict:
    """What a supervisor watches: open work per channel, waiting customers, agents online and their load."""
    live = Conversation.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
    # Waiting on us: the customer wrote last (new or open, and nothing from us since their last message).
    waiting = Q(status__in=(Status.NEW, Status.OPEN), last_inbound_at__isnull=False) & (
        Q(first_response_at__isnull=True) | Q(last_inbound_at__gt=F("first_response_at")))
    queues = list(live.values(channel=F("inbox__kind")).annotate(
        open=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True)), waiting=Count("pk", filter=waiting),
        oldest_wait=Min("last_inbound_at", filter=waiting)).order_by("channel"))
    now = timezone.now()
    for queue in queues:
        queue["longest_wait_seconds"] = int((now - queue["oldest_wait"]).total_seconds()) if queue["oldest_wait"] else None
    agents = list(User.objects.filter(is_active=True).exclude(availability=Availability.OFFLINE)
                  .annotate(load=Count("assigned_conversations", filter=Q(assigned_conversations__status__in=ACTIVE_STATUSES,
                                                                         assigned_conversations__merged_into__isnull=True)))
                  .values("pk", "name", "availability", "load").order_by("-load", "name"))
    longest = live.filter(waiting).order_by("last_inbound_at").values("pk", "subject", "last_inbound_at").first()
    return {"queues": queues, "agents": agents, "waiting": sum(queue["waiting"] for queue in queues),
            "longest": longest and {**longest, "seconds": int((now - longest["last_inbound_at"]).total_seconds())}}




def conversation_sentiment(*, conversation_id: int) -> dict:
    """Return a conversation's customer sentiment for conditions and screens: the last message's score and the average.

    Automation conditions read `sentiment.last` ("the customer's latest message is negative") and
    `sentiment.average`; both are None until the worker has scored a message.
    """
    from parley.analytics.models import MessageSentiment

    scores = list(MessageSentiment.objects.filter(conversation_id=conversation_id).order_by("message_id")
                  .values_list("score", flat=True))
    return {"last": scores[-1] if scores else None, "average": round(sum(scores) / len(scores), 4) if scores else None}
