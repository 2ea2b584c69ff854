"""The KPI engine: a registry of measures, each computed over a scope (date range and filters).

A KPI is registered with `@kpi(...)` on a function of a `Scope` returning a number (or None when
there is nothing to measure), with an optional drill-down giving the conversations behind the
number. Apps that record more (SLA breaches, chat ratings, call logs) register their own KPIs
the same way; the dashboard, the CSV export and the weekly email list every registered KPI.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Avg, BigIntegerField, Count, F, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.analytics.measures import (DIMENSIONS, FACT_MEASURES, PAIRS, ROLLUP_MEASURES, TAG_DIMENSION, filled,
                                       pair_dimension, rollup_key)
from parley.analytics.models import AnswerFact, ConversationFact, DailyRollup
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Tag


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
    #: Measures already read for this scope: one page asks for the same per-day rows for several charts.
    _read: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

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

    def rollup_dimension(self, *grouped_by: str) -> str | None:
        """The rollup dimension that answers this scope grouped by `grouped_by` (fact fields), or None: then the facts do.

        The rollup adds the facts up along one dimension at a time, and along the pairs a dashboard asks for
        (analytics.measures.PAIRS), so it answers a scope narrowed or grouped by at most one of channel, inbox,
        team, agent and tag, or narrowed by one and grouped by another of those pairs.
        """
        narrowed = {dimension for dimension, value in self._filters().items() if value}
        grouped = {dimension for dimension, field in DIMENSIONS.items() if field in grouped_by} - narrowed
        if len(narrowed | grouped) <= 1:
            return next(iter(narrowed | grouped), "channel")
        if len(narrowed) == 1 and len(grouped) == 1 and (pair := (*narrowed, *grouped)) in PAIRS:
            return pair_dimension(*pair)
        return None

    @property
    def filtered(self) -> bool:
        """Whether the report is narrowed by a channel, an inbox, a team, an agent or a tag."""
        return any(self._filters().values())

    def _filters(self) -> dict:
        return {"channel": self.channel, "inbox": self.inbox_id, "team": self.team_id, "agent": self.agent_id,
                TAG_DIMENSION: self.tag}

    def _measured(self, *grouped_by: str, whenever: bool = False) -> tuple[QuerySet, dict]:
        """The rows to add up: the rollup's when it answers, else the facts; of the period, or of every day (`whenever`).

        The rollup's rows carry `grouped`, the key of the dimension grouped by: `key2` in a pair's rows, else `key`.
        """
        dimension = self.rollup_dimension(*grouped_by)
        if dimension is None:
            return self.facts(), FACT_MEASURES
        pair = next((pair for pair in PAIRS if pair_dimension(*pair) == dimension), None)
        rows = DailyRollup.objects.filter(dimension=dimension).alias(grouped=F("key2") if pair else F("key"))
        if not whenever:
            rows = rows.filter(day__gte=self.start, day__lte=self.end)
        narrowed = pair[0] if pair else dimension
        value = self._filters()[narrowed]
        if narrowed == TAG_DIMENSION:
            # A tag's rows are keyed by its id, which survives a rename; a name no tag has matches no row, as no fact.
            value = Tag.objects.filter(name=value).values_list("pk", flat=True).first()
            return (rows.filter(key=rollup_key(value)) if value else rows.none()), ROLLUP_MEASURES
        return (rows.filter(key=rollup_key(value)) if value else rows), ROLLUP_MEASURES

    def measures(self) -> dict:
        """Every measure (analytics.measures) over the period, from the rollup when it can answer, else the facts."""
        if () not in self._read:
            rows, aggregates = self._measured()
            self._read[()] = filled(rows.aggregate(**aggregates))
        return self._read[()]

    def measures_by(self, *fields: str) -> list[dict]:
        """Every measure per value of `fields`: "day", "weekday", or a dimension's fact field ("channel", "assignee_id"...).

        From the rollup, a dimension's value is its key: "no assignee" is 0 there, where the facts have None.
        Read once per scope: a scope lives for one request, so what it keeps is never stale for long.
        """
        if fields not in self._read:
            rows, aggregates = self._measured(*fields)
            if rows.model is DailyRollup:
                # The rollup row's `grouped` key holds the value of the one dimension grouped by; the day's fields are its own.
                keyed = {field: F("grouped") if field == "channel" else Cast("grouped", BigIntegerField())
                         for field in fields if field in DIMENSIONS.values()}
                rows = rows.values(*(field for field in fields if field not in keyed), **keyed)
            else:
                rows = rows.values(*fields)
            self._read[fields] = [filled(row) for row in rows.annotate(**aggregates).order_by()]
        return self._read[fields]

    def volume_by_hour(self) -> dict[tuple[int, int], int]:
        """Conversations opened per (weekday, local hour) in the period: the rollup's hour counts, or the facts'."""
        rows, _ = self._measured()
        if rows.model is ConversationFact:
            return {(r["weekday"], r["hour"]): r["n"] for r in rows.values("weekday", "hour").annotate(n=Count("pk"))}
        counts: dict[tuple[int, int], int] = {}
        for weekday, hours in rows.values_list("weekday", "hours"):
            for hour, count in enumerate(hours):
                if count:
                    counts[weekday, hour] = counts.get((weekday, hour), 0) + count
        return counts

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
    #: A KPI made of the measures turns them into its value, so kpi_values reads every such KPI
    #: in one pass over the rollup or the facts instead of one query each.
    from_measures: Callable[[dict], float | None] | None = None
    #: A value of the moment ("backlog now"): the period before has none to compare with.
    now_only: bool = False


KPIS: dict[str, Kpi] = {}


def kpi(key: str, label: str, *, unit: str, better: str, drill: Callable[[Scope], QuerySet] | None = None, help: str = "",
        now_only: bool = False):
    """Decorator: register `fn(scope)` as KPI `key`."""
    def register(fn):
        KPIS[key] = Kpi(key, label, unit, better, fn, drill, help, now_only=now_only)
        return fn
    return register


def fact_kpi(key: str, label: str, *, unit: str, better: str, drill: Callable[[Scope], QuerySet] | None = None, help: str = ""):
    """Decorator: register `fn(measures)` as KPI `key`, where `measures` are the scope's totals (analytics.measures)."""
    def register(fn):
        KPIS[key] = Kpi(key, label, unit, better, lambda scope: fn(scope.measures()), drill, help, fn)
        return fn
    return register


def _ratio(total, count) -> float | None:
    return round(total / count, 1) if count else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _behind(facts: QuerySet[ConversationFact]) -> QuerySet[Conversation]:
    return Conversation.objects.filter(pk__in=facts.values("conversation_id"))


# --- the KPIs that exist today -----------------------------------------------------------------------

@fact_kpi("volume", _("Conversations"), unit="count", better="none",
          drill=lambda s: _behind(s.facts()), help=_("Conversations opened in the period."))
def volume(m: dict) -> int:
    return m["conversations"]


@fact_kpi("first_response", _("First response time"), unit="seconds", better="lower",
          help=_("Average time from the customer's first message to our first answer (calendar time)."),
          drill=lambda s: _behind(s.facts().filter(first_response_seconds__isnull=False)).order_by("-fact__first_response_seconds"))
def first_response(m: dict) -> float | None:
    return _ratio(m["first_response_total"], m["first_response_count"])


@fact_kpi("next_response", _("Next response time"), unit="seconds", better="lower",
          drill=lambda s: _behind(s.facts().filter(next_response_count__gt=0)),
          help=_("Average time from a customer's follow-up to our next answer."))
def next_response(m: dict) -> float | None:
    return _ratio(m["next_response_total"], m["next_response_count"])


@fact_kpi("resolution", _("Resolution time"), unit="seconds", better="lower",
          drill=lambda s: _behind(s.facts().filter(resolution_seconds__isnull=False)).order_by("-fact__resolution_seconds"),
          help=_("Average time from opening to solved, for the conversations solved now (calendar time)."))
def resolution(m: dict) -> float | None:
    return _ratio(m["resolution_total"], m["resolution_count"])


@fact_kpi("first_response_business", _("First response (business hours)"), unit="seconds", better="lower",
          drill=lambda s: _behind(s.facts().filter(first_response_business_seconds__isnull=False))
          .order_by("-fact__first_response_business_seconds"),
          help=_("Average first response counting only the hours the conversation's routing calendar is open "
                 "(every hour where no calendar applies)."))
def first_response_business(m: dict) -> float | None:
    return _ratio(m["first_response_business_total"], m["first_response_business_count"])


@fact_kpi("resolution_business", _("Resolution (business hours)"), unit="seconds", better="lower",
          drill=lambda s: _behind(s.facts().filter(resolution_business_seconds__isnull=False))
          .order_by("-fact__resolution_business_seconds"),
          help=_("Average time from opening to solved, counting only the hours the routing calendar is open."))
def resolution_business(m: dict) -> float | None:
    return _ratio(m["resolution_business_total"], m["resolution_business_count"])


@fact_kpi("fcr", _("First-contact resolution"), unit="percent", better="higher",
          drill=lambda s: _behind(s.facts().filter(one_touch=True)),
          help=_("Share of solved conversations solved with one answer and never reopened."))
def first_contact_resolution(m: dict) -> float | None:
    return _percent(m["one_touch"], m["solved"])


@fact_kpi("reopen_rate", _("Reopen rate"), unit="percent", better="lower",
          drill=lambda s: _behind(s.facts().filter(reopened=True)), help=_("Share of conversations reopened after being solved."))
def reopen_rate(m: dict) -> float | None:
    return _percent(m["reopened"], m["conversations"])


@kpi("backlog", _("Backlog now"), unit="count", better="lower", now_only=True,
     drill=lambda s: s.conversations().filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True),
     help=_("Conversations still open (new, open, pending, on hold) right now, whenever they were opened."))
def backlog(scope: Scope) -> int:
    if scope.rollup_dimension() is None:
        return scope.conversations().filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True).count()
    # Every day's open conversations, from the rollup: counting them in the conversations reads one row each.
    rows, aggregates = scope._measured(whenever=True)
    return rows.aggregate(active=aggregates["active"])["active"] or 0


@fact_kpi("sentiment", _("Customer sentiment"), unit="score", better="higher",
          drill=lambda s: _behind(s.facts().filter(sentiment_count__gt=0)).order_by("fact__sentiment_total"),
          help=_("Average sentiment of customers' messages, -1 (negative) to 1 (positive)."))
def sentiment(m: dict) -> float | None:
    return round(m["sentiment_total"] / m["sentiment_count"], 2) if m["sentiment_count"] else None


# --- survey KPIs: answers given in the period, about conversations passing the filters ------------------

def _answers(scope: Scope, kind: str):
    """The answers of `kind` given in the period: the surveys themselves, or with a filter the answer facts.

    Those carry their conversation's channel, inbox, team and assignee, so a filter reads an index instead of
    joining each of the period's answers to its conversation. Surveys about no conversation (an NPS campaign's)
    pass no filter either way.
    """
    from parley.surveys.models import Survey

    start, end = scope.bounds()
    if not scope.filtered:
        return Survey.objects.filter(kind=kind, answered_at__gte=start, answered_at__lt=end)
    answers = AnswerFact.objects.filter(kind=kind, answered_at__gte=start, answered_at__lt=end)
    return scope.narrow(answers, ("inbox_id", "channel", "team_id", "assignee_id", "conversation__tags__name"))


def _surveyed(kind: str):
    return lambda scope: Conversation.objects.filter(pk__in=_answers(scope, kind).values("conversation_id"))


@kpi("csat", _("CSAT"), unit="percent", better="higher", drill=_surveyed("csat"),
     help=_("Share of CSAT answers that are 4 or 5 out of 5."))
def csat(scope: Scope) -> float | None:
    from parley.surveys.scores import good_threshold

    counts = _answers(scope, "csat").aggregate(all=Count("pk"), good=Count("pk", filter=Q(score__gte=good_threshold("csat"))))
    return _percent(counts["good"], counts["all"])


@kpi("nps", _("NPS"), unit="score", better="higher", help=_("% promoters (9–10) minus % detractors (0–6)."))
def net_promoter_score(scope: Scope) -> float | None:
    from parley.surveys.scores import nps

    return nps(list(_answers(scope, "nps").values_list("score", flat=True)))


@kpi("ces", _("CES"), unit="score", better="higher", drill=_surveyed("ces"), help=_("Average effort score, 1 (hard) to 7 (easy)."))
def customer_effort_score(scope: Scope) -> float | None:
    return _rounded(_answers(scope, "ces").aggregate(v=Avg("score"))["v"])


# --- records of other apps: SLA breaches, chat ratings, calls ---------------------------------------------

def under_sla(scope: Scope) -> QuerySet[ConversationFact]:
    """The scope's facts of conversations an SLA policy applies to."""
    return scope.facts().filter(sla_policy_id__isnull=False)


@fact_kpi("sla_compliance", _("SLA compliance"), unit="percent", better="higher",
          drill=lambda s: _behind(under_sla(s).filter(sla_breached=True)),
          help=_("Share of the conversations under an SLA policy with no target breached; the number leads to the breached ones."))
def sla_compliance(m: dict) -> float | None:
    return _percent(m["sla_kept"], m["sla_conversations"])


def chat_ratings(scope: Scope):
    """The 1–5 ratings visitors gave chats in the period, about conversations passing the filters."""
    from parley.channels.chat.models import ChatRating

    start, end = scope.bounds()
    return scope.narrow(ChatRating.objects.filter(created_at__gte=start, created_at__lt=end),
                        ("conversation__inbox_id", "conversation__inbox__kind", "conversation__team_id",
                         "conversation__assignee_id", "conversation__tags__name"))


@kpi("chat_rating", _("Chat rating"), unit="score", better="higher",
     drill=lambda s: Conversation.objects.filter(pk__in=chat_ratings(s).values("conversation_id")),
     help=_("Average rating visitors gave at the end of a chat, 1 (bad) to 5 (great)."))
def chat_rating(scope: Scope) -> float | None:
    return _rounded(chat_ratings(scope).aggregate(v=Avg("score"))["v"])


def answered_calls(scope: Scope):
    """Inbound calls started in the period and answered by an agent, passing the filters (the call's agent and team)."""
    from parley.channels.voice.models import Call, CallDirection, CallOutcome

    start, end = scope.bounds()
    calls = Call.objects.filter(direction=CallDirection.INBOUND, outcome=CallOutcome.ANSWERED, talk_seconds__isnull=False,
                                started_at__gte=start, started_at__lt=end)
    return scope.narrow(calls, ("inbox_id", "inbox__kind", "team_id", "agent_id", "conversation__tags__name"))


@kpi("voice_aht", _("Voice handle time"), unit="seconds", better="lower",
     drill=lambda s: Conversation.objects.filter(pk__in=answered_calls(s).values("conversation_id")),
     help=_("Average talk time of the answered inbound calls started in the period."))
def voice_handle_time(scope: Scope) -> float | None:
    return _rounded(answered_calls(scope).aggregate(v=Avg("talk_seconds"))["v"])


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


def _compute_all(scope: Scope, *, earlier: bool = False) -> dict[str, float | None]:
    """Every KPI's value over `scope`: one read of the measures for all the KPIs made of them, then the others one by one.

    For the period before (`earlier`), values of the moment are left out: they would only repeat today's.
    """
    measures = scope.measures()
    return {item.key: None if earlier and item.now_only else
            item.from_measures(measures) if item.from_measures else item.compute(scope) for item in KPIS.values()}


def kpi_values(scope: Scope) -> list[dict]:
    """Every registered KPI over `scope` and over the period before it."""
    current, earlier = _compute_all(scope), _compute_all(scope.previous(), earlier=True)
    rows = []
    for item in KPIS.values():
        value, before = current[item.key], earlier[item.key]
        change = None if value is None or before is None else round(value - before, 1)
        rows.append({"key": item.key, "label": str(item.label), "unit": item.unit, "better": item.better, "help": str(item.help),
                     "value": value, "previous": before, "change": change, "display": display(value, item.unit),
                     "previous_display": display(before, item.unit), "drill": item.drill is not None,
                     "change_display": "" if not change else ("+" if change > 0 else "−") + display(abs(change), item.unit)})
    return rows
