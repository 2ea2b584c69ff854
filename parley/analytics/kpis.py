"""The KPI engine: a registry of measures, each computed over a scope (date range and filters).

A KPI is registered with `@kpi(...)` on a function of a `Scope` returning a number (or None when
there is nothing to measure), with an optional drill-down giving the conversations behind the
number. Apps that record more (SLA breaches, chat ratings, call logs) register their own KPIs
the same way; the dashboard, the CSV export and the weekly email list every registered KPI.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Aggregate, Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from parley.analytics.models import ConversationFact
from parley.conversations.models import ACTIVE_STATUSES, Conversation


@dataclass(frozen=True)
class Scope:
    """What a report covers: local days `start`…`end` (both included) and optional filters."""

    start: date
    end: date
    inbox_id: int | None = None
    channel: str = ""
    team_id: int | None = None
    agent_id: int | None = None
    tag: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        """The period of the same length just before this one, with the same filters."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes: local midnight of `start` to local midnight after `end`."""
        tz = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(self.start, time()), tz),
                timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time()), tz))

    def narrow(self, qs: QuerySet, fields: tuple[str, str, str, str, str]) -> QuerySet:
        """Apply the filters to `qs`, whose inbox, channel, team, assignee and tag name are the `fields` given."""
        wanted = dict(zip(fields, (self.inbox_id, self.channel, self.team_id, self.agent_id, self.tag)))
        return qs.filter(**{field: value for field, value in wanted.items() if value not in (None, "")})

    def facts(self) -> QuerySet[ConversationFact]:
        """The facts of conversations opened in the period that pass the filters."""
        return self.narrow(ConversationFact.objects.filter(day__gte=self.start, day__lte=self.end),
                              ("inbox_id", "channel", "team_id", "assignee_id", "conversation__tags__name"))

    def conversations(self) -> QuerySet[Conversation]:
        """Conversations passing the filters, whenever they were opened (read from the conversations themselves)."""
        return self.narrow(Conversation.objects.all(), ("inbox_id", "inbox__kind", "team_id", "assignee_id", "tags__name"))

    def querystring(self, **extra) -> str:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat(), "inbox": self.inbox_id or "",
                  "channel": self.channel, "team": self.team_id or "", "agent": self.agent_id or "", "tag": self.tag, **extra}
        return urlencode({key: value for key, value in params.items() if value not in (None, "")})


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    #: "seconds", "percent", "count" or "score": how the value is shown.
    unit: str
    #: Whether a higher value is better ("higher") or worse ("lower"): colours the comparison.
    better: str
    compute: Callable[[Scope], float | None]
    drill: Callable[[Scope], QuerySet[Conversation]] | None = None
    help: str = ""
    #: A KPI over the facts names the aggregates it needs and turns their totals into its value, so
    #: kpi_values reads every such KPI in one pass over the facts instead of one query each.
    totals: dict[str, Aggregate] | None = None
    finish: Callable[[dict], float | None] | None = None


KPIS: dict[str, Kpi] = {}


def kpi(key: str, label: str, *, unit: str, better: str, drill: Callable[[Scope], QuerySet] | None = None, help: str = ""):
    """Decorator: register `fn(scope)` as KPI `key`."""
    def register(fn):
        KPIS[key] = Kpi(key, label, unit, better, fn, drill, help)
        return fn
    return register


def fact_kpi(key: str, label: str, *, totals: dict[str, Aggregate], unit: str, better: str,
             drill: Callable[[Scope], QuerySet] | None = None, help: str = ""):
    """Decorator: register `fn(totals)` as KPI `key`, where `totals` are the given aggregates over the scope's facts."""
    def register(fn):
        KPIS[key] = Kpi(key, label, unit, better, lambda scope: fn(scope.facts().aggregate(**totals)), drill, help, totals, fn)
        return fn
    return register


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _behind(facts: QuerySet[ConversationFact]) -> QuerySet[Conversation]:
    return Conversation.objects.filter(pk__in=facts.values("conversation_id"))


# --- the KPIs that exist today -----------------------------------------------------------------------

@fact_kpi("volume", "Conversations", totals={"all": Count("pk")}, unit="count", better="none",
          drill=lambda s: _behind(s.facts()), help="Conversations opened in the period.")
def volume(totals: dict) -> int:
    return totals["all"]


@fact_kpi("first_response", "First response time", totals={"average": Avg("first_response_seconds")}, unit="seconds",
          better="lower", help="Average time from the customer's first message to our first answer (calendar time).",
          drill=lambda s: _behind(s.facts().filter(first_response_seconds__isnull=False)).order_by("-fact__first_response_seconds"))
def first_response(totals: dict) -> float | None:
    return _rounded(totals["average"])


@fact_kpi("next_response", "Next response time", unit="seconds", better="lower",
          totals={"seconds": Sum("next_response_seconds_total"), "count": Sum("next_response_count")},
          drill=lambda s: _behind(s.facts().filter(next_response_count__gt=0)),
          help="Average time from a customer's follow-up to our next answer.")
def next_response(totals: dict) -> float | None:
    return _rounded(totals["seconds"] / totals["count"]) if totals["count"] else None


@fact_kpi("resolution", "Resolution time", totals={"average": Avg("resolution_seconds")}, unit="seconds", better="lower",
          drill=lambda s: _behind(s.facts().filter(resolution_seconds__isnull=False)).order_by("-fact__resolution_seconds"),
          help="Average time from opening to solved, for the conversations solved now (calendar time).")
def resolution(totals: dict) -> float | None:
    return _rounded(totals["average"])


@fact_kpi("fcr", "First-contact resolution", unit="percent", better="higher",
          totals={"solved": Count("pk", filter=Q(solved=True)), "one": Count("pk", filter=Q(one_touch=True))},
          drill=lambda s: _behind(s.facts().filter(one_touch=True)),
          help="Share of solved conversations solved with one answer and never reopened.")
def first_contact_resolution(totals: dict) -> float | None:
    return _percent(totals["one"], totals["solved"])


@fact_kpi("reopen_rate", "Reopen rate", unit="percent", better="lower",
          totals={"all": Count("pk"), "reopened": Count("pk", filter=Q(reopened=True))},
          drill=lambda s: _behind(s.facts().filter(reopened=True)), help="Share of conversations reopened after being solved.")
def reopen_rate(totals: dict) -> float | None:
    return _percent(totals["reopened"], totals["all"])


@kpi("backlog", "Backlog now", unit="count", better="lower",
     drill=lambda s: s.conversations().filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True),
     help="Conversations still open (new, open, pending, on hold) right now, whenever they were opened.")
def backlog(scope: Scope) -> int:
    return scope.conversations().filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True).count()


@fact_kpi("sentiment", "Customer sentiment", unit="score", better="higher",
          totals={"total": Sum("sentiment_total"), "count": Sum("sentiment_count")},
          drill=lambda s: _behind(s.facts().filter(sentiment_count__gt=0)).order_by("fact__sentiment_total"),
          help="Average sentiment of customers' messages, -1 (negative) to 1 (positive).")
def sentiment(totals: dict) -> float | None:
    return round(totals["total"] / totals["count"], 2) if totals["count"] else None


# --- survey KPIs: answers given in the period, about conversations passing the filters ------------------

def _answers(scope: Scope, kind: str):
    from parley.surveys.models import Survey

    start, end = scope.bounds()
    answers = Survey.objects.filter(kind=kind, answered_at__gte=start, answered_at__lt=end)
    return scope.narrow(answers, ("conversation__inbox_id", "conversation__inbox__kind", "conversation__team_id",
                                  "conversation__assignee_id", "conversation__tags__name"))


def _surveyed(kind: str):
    return lambda scope: Conversation.objects.filter(pk__in=_answers(scope, kind).values("conversation_id"))


@kpi("csat", "CSAT", unit="percent", better="higher", drill=_surveyed("csat"),
     help="Share of CSAT answers that are 4 or 5 out of 5.")
def csat(scope: Scope) -> float | None:
    from parley.surveys.scores import good_threshold

    counts = _answers(scope, "csat").aggregate(all=Count("pk"), good=Count("pk", filter=Q(score__gte=good_threshold("csat"))))
    return _percent(counts["good"], counts["all"])


@kpi("nps", "NPS", unit="score", better="higher", help="% promoters (9–10) minus % detractors (0–6).")
def net_promoter_score(scope: Scope) -> float | None:
    from parley.surveys.scores import nps

    return nps(list(_answers(scope, "nps").values_list("score", flat=True)))


@kpi("ces", "CES", unit="score", better="higher", drill=_surveyed("ces"), help="Average effort score, 1 (hard) to 7 (easy).")
def customer_effort_score(scope: Scope) -> float | None:
    return _rounded(_answers(scope, "ces").aggregate(v=Avg("score"))["v"])


# --- presenting ----------------------------------------------------------------------------------------

def display(value, unit: str) -> str:
    """Show a KPI value the way people read it: durations in h/min, percentages with %."""
    if value is None:
        return "—"
    if unit == "seconds":
        minutes = round(value / 60)
        if minutes >= 48 * 60:
            return f"{minutes // 1440} d {minutes % 1440 // 60} h"
        return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    if unit == "percent":
        return f"{value:g} %"
    return f"{value:g}"


def _compute_all(scope: Scope) -> dict[str, float | None]:
    """Every KPI's value over `scope`: one aggregate query for all the KPIs over facts, then the others one by one."""
    over_facts = [item for item in KPIS.values() if item.totals]
    aliases = {(item.key, name): f"t{n}_{name}" for n, item in enumerate(over_facts) for name in item.totals}
    row = scope.facts().aggregate(**{aliases[item.key, name]: aggregate
                                     for item in over_facts for name, aggregate in item.totals.items()})
    values = {item.key: item.finish({name: row[aliases[item.key, name]] for name in item.totals}) for item in over_facts}
    return {item.key: values[item.key] if item.totals else item.compute(scope) for item in KPIS.values()}


def kpi_values(scope: Scope) -> list[dict]:
    """Every registered KPI over `scope` and over the period before it."""
    current, earlier = _compute_all(scope), _compute_all(scope.previous())
    rows = []
    for item in KPIS.values():
        value, before = current[item.key], earlier[item.key]
        change = None if value is None or before is None else round(value - before, 1)
        rows.append({"key": item.key, "label": item.label, "unit": item.unit, "better": item.better, "help": item.help,
                     "value": value, "previous": before, "change": change, "display": display(value, item.unit),
                     "previous_display": display(before, item.unit), "drill": item.drill is not None,
                     "change_display": "" if not change else ("+" if change > 0 else "−") + display(abs(change), item.unit)})
    return rows
