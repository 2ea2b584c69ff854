"""Evaluate rules fast: conditions compiled once into functions over a conversation's facts.

Facts are one flat dict per conversation (and event), gathered with a few queries; a rule's
conditions become nested closures, so evaluating hundreds of rules on an event is plain
Python over that dict (see bench/automation.py). Facts other apps can offer (business hours
from a calendar, SLA state) are added to `FACT_PROVIDERS`, one function each.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Count, Max, OuterRef, Subquery, TextField, Value

from parley.automation import definitions
from parley.automation.models import Rule, RuleKind
from parley.contacts.models import Segment
from parley.conversations.models import Conversation, Message, Tag

Facts = dict[str, Any]
Test = Callable[[Facts], bool]

#: Facts other apps provide: name -> fn(conversation id, facts gathered so far). Added with `fact_register`.
FACT_PROVIDERS: dict[str, Callable[[int, Facts], Any]] = {}


def fact_register(name: str, *, label: str, ops: tuple[str, ...], provide: Callable[[int, Facts], Any],
                  choices: tuple = ()) -> None:
    """Offer one more fact to conditions (e.g. "conversation.in_business_hours" from a business calendar).

    Call it from an app's `ready()`. The field is then accepted in definitions, listed on the rule
    screen and gathered for every event with triggers, so `provide` must be cheap.
    """
    definitions.FIELDS[name] = definitions.FieldSpec(label, ops, choices)
    FACT_PROVIDERS[name] = provide


def conversation_queryset():
    return Conversation.objects.select_related("inbox", "team", "assignee", "contact__organization")


#: Facts read straight from columns, in one query with its joins: no model instances to build on the hot path.
_COLUMNS = {
    "conversation.status": "status", "conversation.priority": "priority", "conversation.type": "type",
    "conversation.tier": "tier", "conversation.subject": "subject", "conversation.channel": "inbox__kind",
    "conversation.inbox": "inbox__name", "conversation.team": "team__name", "conversation.assignee": "assignee__email",
    "contact.name": "contact__name", "contact.email": "contact__email", "contact.phone": "contact__phone",
    "contact.organization": "contact__organization__name",
}


class _Names(Aggregate):
    """The names of related rows as one text, separated by NAME_SEPARATOR (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, CHAR(31))"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, CHR(31))", **extra)


NAME_SEPARATOR = "\x1f"


def _names(related, **link) -> Subquery:
    """A subquery of the names of `related` rows linked to the conversation row (one value, grouped by the link)."""
    field = next(iter(link))
    return Subquery(related.objects.filter(**link).order_by().values(field).annotate(names=_Names("name")).values("names")[:1])


def facts_for(conversation_id: int, *, event: str = "", payload: dict | None = None, needed: frozenset | None = None) -> Facts | None:
    """Return what conditions can test about a conversation (and the event being handled); None if it is gone.

    `needed` names the facts the rules read: tags, segments and the message text are read only when
    a rule reads them, as subqueries of the one query, so an event costs one round trip to the database.
    """
    payload = payload or {}
    wanted = (lambda fact: True) if needed is None else needed.__contains__
    extra = {}
    if wanted("conversation.tags"):
        extra["tag_names"] = _names(Tag, conversations=OuterRef("pk"))
    if wanted("contact.segments"):
        extra["segment_names"] = _names(Segment, contacts=OuterRef("contact_id"))
    if wanted("message.text"):
        extra["message_text"] = (Subquery(Message.objects.filter(pk=payload["message_id"]).values("text")[:1])
                                 if payload.get("message_id") else Value("", output_field=TextField()))
    row = (Conversation.objects.filter(pk=conversation_id, merged_into__isnull=True).order_by().annotate(**extra)
           .values(*_COLUMNS.values(), "first_response_at", "custom_fields", "contact_id", "contact__custom_attributes", *extra)
           .first())
    if row is None:
        return None
    facts: Facts = {name: row[column] if row[column] is not None else "" for name, column in _COLUMNS.items()}
    facts.update({
        "event": event,
        "conversation.answered": row["first_response_at"] is not None,
        "event.changed": sorted((payload.get("changes") or {}).keys()),
    })
    if "tag_names" in row:
        facts["conversation.tags"] = row["tag_names"].split(NAME_SEPARATOR) if row["tag_names"] else []
    if "segment_names" in row:
        facts["contact.segments"] = row["segment_names"].split(NAME_SEPARATOR) if row["segment_names"] else []
    if "message_text" in row:
        facts["message.text"] = row["message_text"] or ""
    for key, value in (row["custom_fields"] or {}).items():
        facts[f"conversation.custom_fields.{key}"] = value
    for key, value in (row["contact__custom_attributes"] or {}).items():
        facts[f"contact.attributes.{key}"] = value
    for name, provide in FACT_PROVIDERS.items():
        if wanted(name):
            facts[name] = provide(conversation_id, facts)
    return facts


# --- compiling conditions ----------------------------------------------------------------------------

def _norm(value):
    return value.casefold() if isinstance(value, str) else value


def prepare(facts: Facts) -> Facts:
    """Return the facts as conditions compare them: text case-folded once, lists as sets (done once per event)."""
    return {name: frozenset(_norm(v) for v in value) if isinstance(value, list) else _norm(value)
            for name, value in facts.items()}


_NOTHING: frozenset = frozenset()


def _set(value) -> bool:
    return value not in (None, "", frozenset(), {})


def _compile_condition(condition: definitions.Condition) -> Test:
    """Return a test of one condition over prepared facts (see `prepare`)."""
    name, op, value = condition.field, condition.op, condition.value
    if op == "is_set":
        return lambda facts: _set(facts.get(name))
    if op == "is_not_set":
        return lambda facts: not _set(facts.get(name))
    if op in ("in", "not_in"):
        wanted = frozenset(_norm(v) for v in value)
        if op == "in":
            return lambda facts: facts.get(name) in wanted
        return lambda facts: facts.get(name) not in wanted
    target = _norm(value)
    if op == "is":
        return lambda facts: facts.get(name) == target
    if op == "is_not":
        return lambda facts: facts.get(name) != target
    if op in ("contains", "not_contains"):
        wanted = op == "contains"
        # Known fields have one type, so their test skips the checks an open-ended field needs.
        if name in definitions.FIELDS and definitions.FIELDS[name].ops == definitions.LIST_OPS:
            if wanted:
                return lambda facts: target in facts.get(name, _NOTHING)
            return lambda facts: target not in facts.get(name, _NOTHING)
        text = str(target)
        if name in definitions.FIELDS:
            if wanted:
                return lambda facts: text in facts.get(name, "")
            return lambda facts: text not in facts.get(name, "")

        def contains(facts: Facts) -> bool:
            found = facts.get(name)
            if isinstance(found, frozenset):
                return (target in found) is wanted
            return (isinstance(found, str) and text in found) is wanted

        return contains
    compare = {"gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__}[op]
    bound = float(target)

    def test(facts: Facts) -> bool:
        found = facts.get(name)
        if isinstance(found, bool) or found is None:
            return False
        try:
            return compare(float(found), bound)
        except (TypeError, ValueError):
            return False

    return test


def compile_conditions(match: str, conditions: list) -> Test:
    """Return one test for a list of conditions (and nested groups) combined with all/any."""
    tests = tuple(compile_conditions(c.match, c.conditions) if isinstance(c, definitions.ConditionGroup)
                  else _compile_condition(c) for c in conditions)
    if not tests:
        return lambda facts: True
    if len(tests) == 1:
        return tests[0]
    # Plain loops: measurably faster than all()/any() over a generator, and this runs rules × events times.
    if match == "all":
        def every(facts: Facts) -> bool:
            for test in tests:
                if not test(facts):
                    return False
            return True
        return every

    def some(facts: Facts) -> bool:
        for test in tests:
            if test(facts):
                return True
        return False
    return some


def explain(match: str, conditions: list, facts: Facts) -> list[dict]:
    """Say, for the preview, what each condition saw and whether it held."""
    lines = []
    for condition in conditions:
        if isinstance(condition, definitions.ConditionGroup):
            lines.append({"text": f"{condition.match} of:", "held": compile_conditions(condition.match, condition.conditions)(prepare(facts)),
                          "children": explain(condition.match, condition.conditions, facts)})
        else:
            value = "" if condition.value is None else f" {condition.value!r}"
            lines.append({"text": f"{condition.field} {condition.op.replace('_', ' ')}{value}",
                          "seen": facts.get(condition.field), "held": _compile_condition(condition)(prepare(facts))})
    return lines


# --- the active rules, compiled once per change ------------------------------------------------------

@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    kind: str
    definition: Any
    test: Test
    events: frozenset = field(default_factory=frozenset)
    #: The facts its conditions read.
    fields: frozenset = field(default_factory=frozenset)

    def matches(self, prepared: Facts) -> bool:
        """Whether the conditions hold on facts made ready by `prepare`."""
        return self.test(prepared)


def _fields_of(conditions: list) -> set[str]:
    found = set()
    for condition in conditions:
        found |= _fields_of(condition.conditions) if isinstance(condition, definitions.ConditionGroup) else {condition.field}
    return found


def compile_rule(rule: Rule) -> CompiledRule:
    schema = definitions.TriggerDefinition if rule.kind == RuleKind.TRIGGER else definitions.TimeRuleDefinition
    parsed = schema.model_validate(rule.definition)
    return CompiledRule(rule.pk, rule.name, rule.kind, parsed, compile_conditions(parsed.match, parsed.conditions),
                        frozenset(getattr(parsed, "events", ())), frozenset(_fields_of(parsed.conditions)))


@dataclass
class RuleSet:
    version: tuple
    triggers: dict[str, list[CompiledRule]]
    time_rules: list[CompiledRule]

    def for_event(self, name: str) -> list[CompiledRule]:
        return self.triggers.get(name, [])

    def fields_for(self, name: str) -> frozenset:
        """The facts any trigger of event `name` reads: the others need not be fetched."""
        return frozenset().union(*(rule.fields for rule in self.for_event(name)))


_cached: RuleSet | None = None
_checked_at = 0.0
#: How long a process trusts its compiled rules before asking whether they changed (saving a rule clears its own copy).
RECHECK_SECONDS = 2.0


def rules_changed() -> None:
    """Forget the compiled rules of this process (called when a rule is saved or deleted)."""
    global _checked_at
    _checked_at = 0.0


def active_rules() -> RuleSet:
    """Return the active rules compiled, recompiling only when a rule was added, changed or removed."""
    global _cached, _checked_at
    now = time.monotonic()
    if _cached is not None and now - _checked_at < RECHECK_SECONDS:
        return _cached
    # One cheap aggregate tells every worker process when its compiled copy is stale.
    version = tuple(Rule.objects.aggregate(count=Count("id"), changed=Max("updated_at")).values())
    _checked_at = now
    if _cached is not None and _cached.version == version:
        return _cached
    triggers: dict[str, list[CompiledRule]] = defaultdict(list)
    time_rules = []
    for rule in Rule.objects.filter(is_active=True):
        compiled = compile_rule(rule)
        if rule.kind == RuleKind.TIME:
            time_rules.append(compiled)
        for name in compiled.events:
            triggers[name].append(compiled)
    _cached = RuleSet(version, dict(triggers), time_rules)
    return _cached
