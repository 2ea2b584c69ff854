"""The sums every KPI over the facts and every per-day chart is made of, read from the facts or their daily rollup.

Averages and shares are finished from sums and counts (a sum of averages means nothing), so the same
totals come out of the fact rows of a filtered report and of the rollup rows of an unfiltered one.
"""
from django.db.models import Count, Q, Sum

#: Each measure as an aggregate over fact rows; the rollup keeps a column of that name per bucket (analytics.models.DailyRollup).
FACT_MEASURES = {
    "conversations": Count("pk"),
    "first_response_total": Sum("first_response_seconds"),
    "first_response_count": Count("first_response_seconds"),
    "first_response_business_total": Sum("first_response_business_seconds"),
    "first_response_business_count": Count("first_response_business_seconds"),
    "next_response_total": Sum("next_response_seconds_total"),
    "next_response_count": Sum("next_response_count"),
    "resolution_total": Sum("resolution_seconds"),
    "resolution_count": Count("resolution_seconds"),
    "resolution_business_total": Sum("resolution_business_seconds"),
    "resolution_business_count": Count("resolution_business_seconds"),
    "solved": Count("pk", filter=Q(solved=True)),
    "one_touch": Count("pk", filter=Q(one_touch=True)),
    "reopened": Count("pk", filter=Q(reopened=True)),
    "sentiment_total": Sum("sentiment_total"),
    "sentiment_count": Sum("sentiment_count"),
    "sla_conversations": Count("pk", filter=Q(sla_policy_id__isnull=False)),
    "sla_kept": Count("pk", filter=Q(sla_policy_id__isnull=False, sla_breached=False)),
    #: Still open (new, open, pending, on hold): summed over every day, the backlog.
    "active": Count("pk", filter=Q(is_active=True)),
    #: Of those, the ones nobody is assigned to, and the customers waiting on us: the live view's queues.
    "unassigned": Count("pk", filter=Q(is_active=True, assignee_id__isnull=True)),
    "waiting": Count("waiting_since"),
}
ROLLUP_MEASURES = {name: Sum(name) for name in FACT_MEASURES}
#: The rollup's dimensions with one value per fact, and the fact field each one is keyed by (analytics.models.DailyRollup).
DIMENSIONS = {"channel": "channel", "inbox": "inbox_id", "team": "team_id", "agent": "assignee_id"}
#: The dimension with a row for each of a fact's tags (none for a fact without tags).
TAG_DIMENSION = "tag"
#: Two dimensions a dashboard reads at once, (narrowed by, grouped by): its chart per channel and its agent table
#: under a filter. The rollup keeps a row for each pair of values, keyed by the first and, in `key2`, the second.
PAIRS = tuple((narrowed, grouped) for grouped in ("channel", "agent") for narrowed in (*DIMENSIONS, TAG_DIMENSION)
              if narrowed != grouped)


def pair_dimension(narrowed: str, grouped: str) -> str:
    """The rollup's name for the rows of a pair of dimensions (PAIRS)."""
    return f"{narrowed}+{grouped}"


def rollup_key(value) -> str:
    """The rollup's key for a fact's channel, inbox, team or assignee: the channel's kind, or the id ("0" for none)."""
    return value if isinstance(value, str) else str(value or 0)


def filled(row: dict) -> dict:
    """A row of measures with the sums over nothing as 0, as the counts already are."""
    return {key: (0 if value is None and key in FACT_MEASURES else value) for key, value in row.items()}
