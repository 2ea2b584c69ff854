"""Evaluate rules fast: conditions compiled once into functions over a conversation's facts.

Facts are one flat dict per conversation (and event), gathered with a few queries; a rule's
conditions become nested closures, so evaluating hundreds of rules on an event is plain
Python over that dict (see bench/automation.py). Facts other apps can offer (business hours
from a calendar, SLA state) are added to `FACT_PROVIDERS`, one function each.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from parley.automation import definitions
from parley.automation.models import Rule, RuleKind
from parley.conversations.models import Conversation, Message

Facts = dict[str, Any]
Test = Callable[[Facts], bool]

#: Extra facts: name -> fn(conversation, facts). A provider must be cheap; it runs for every event with rules.
FACT_PROVIDERS: dict[str, Callable[[Conversation, Facts], Any]] = {}


def conversation_queryset():
    return Conversation.objects.select_related("inbox", "team", "assignee", "contact__organization")


def facts_for(conversation: Conversation, *, event: str = "", payload: dict | None = None) -> Facts:
    """Return everything conditions can test about `conversation` (and the event that is being handled)."""
    payload = payload or {}
    contact = conversation.contact
    message_text = ""
    if payload.get("message_id"):
        message_text = Message.objects.filter(pk=payload["message_id"]).values_list("text", flat=True).first() or ""
    facts: Facts = {
        "event": event,
        "conversation.status": conversation.status,
        "conversation.priority": conversation.priority,
        "conversation.type": conversation.type,
        "conversation.tier": conversation.tier,
        "conversation.subject": conversation.subject,
        "conversation.channel": conversation.inbox.kind,
        "conversation.inbox": conversation.inbox.name,
        "conversation.team": conversation.team.name if conversation.team_id else "",
        "conversation.assignee": conversation.assignee.email if conversation.assignee_id else "",
        "conversation.tags": [t.name for t in conversation.tags.all()],
        "conversation.answered": conversation.first_response_at is not None,
        "contact.name": contact.name,
        "contact.email": contact.email,
        "contact.phone": contact.phone,
        "contact.organization": contact.organization.name if contact.organization_id else "",
        "contact.segments": [s.name for s in contact.segments.all()],
        "message.text": message_text,
        "event.changed": sorted((payload.get("changes") or {}).keys()),
    }
    for key, value in (conversation.custom_fields or {}).items():
        facts[f"conversation.custom_fields.{key}"] = value
    for key, value in (contact.custom_attributes or {}).items():
        facts[f"contact.attributes.{key}"] = value
    for name, provide in FACT_PROVIDERS.items():
        facts[name] = provide(conversation, facts)
    return facts


# --- compiling conditions ----------------------------------------------------------------------------

def _norm(value):
    return value.casefold() if isinstance(value, str) else value


def _set(value) -> bool:
    return value not in (None, "", [], {})


def _compile_condition(condition: definitions.Condition) -> Test:
    name, op, value = condition.field, condition.op, condition.value
    if op == "is_set":
        return lambda facts: _set(facts.get(name))
    if op == "is_not_set":
        return lambda facts: not _set(facts.get(name))
    if op in ("in", "not_in"):
        wanted = frozenset(_norm(v) for v in value)
        if op == "in":
            return lambda facts: _norm(facts.get(name)) in wanted
        return lambda facts: _norm(facts.get(name)) not in wanted
    target = _norm(value)
    if op == "is":
        return lambda facts: _norm(facts.get(name)) == target
    if op == "is_not":
        return lambda facts: _norm(facts.get(name)) != target

    def contains(facts: Facts) -> bool:
        found = facts.get(name)
        if isinstance(found, list):
            return target in (_norm(v) for v in found)
        return isinstance(found, str) and str(target) in found.casefold()

    if op == "contains":
        return contains
    if op == "not_contains":
        return lambda facts: not contains(facts)

    def compare(facts: Facts) -> bool:
        found = facts.get(name)
        if isinstance(found, str):
            try:
                found = float(found)
            except ValueError:
                return False
        if isinstance(found, bool) or not isinstance(found, (int, float)):
            return False
        return {"gt": found > target, "gte": found >= target, "lt": found < target, "lte": found <= target}[op]

    return compare


def compile_conditions(match: str, conditions: list) -> Test:
    """Return one test for a list of conditions (and nested groups) combined with all/any."""
    tests = tuple(compile_conditions(c.match, c.conditions) if isinstance(c, definitions.ConditionGroup)
                  else _compile_condition(c) for c in conditions)
    if not tests:
        return lambda facts: True
    if len(tests) == 1:
        return tests[0]
    if match == "all":
        return lambda facts: all(test(facts) for test in tests)
    return lambda facts: any(test(facts) for test in tests)


def explain(match: str, conditions: list, facts: Facts) -> list[dict]:
    """Say, for the preview, what each condition saw and whether it held."""
    lines = []
    for condition in conditions:
        if isinstance(condition, definitions.ConditionGroup):
            lines.append({"text": f"{condition.match} of:", "held": compile_conditions(condition.match, condition.conditions)(facts),
                          "children": explain(condition.match, condition.conditions, facts)})
        else:
            value = "" if condition.value is None else f" {condition.value!r}"
            lines.append({"text": f"{condition.field} {condition.op.replace('_', ' ')}{value}",
                          "seen": facts.get(condition.field), "held": _compile_condition(condition)(facts)})
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

    def matches(self, facts: Facts) -> bool:
        return self.test(facts)


def compile_rule(rule: Rule) -> CompiledRule:
    schema = definitions.TriggerDefinition if rule.kind == RuleKind.TRIGGER else definitions.TimeRuleDefinition
    parsed = schema.model_validate(rule.definition)
    return CompiledRule(rule.pk, rule.name, rule.kind, parsed, compile_conditions(parsed.match, parsed.conditions),
                        frozenset(getattr(parsed, "events", ())))


@dataclass
class RuleSet:
    version: tuple
    triggers: dict[str, list[CompiledRule]]
    time_rules: list[CompiledRule]

    def for_event(self, name: str) -> list[CompiledRule]:
        return self.triggers.get(name, [])


_cached: RuleSet | None = None


def active_rules() -> RuleSet:
    """Return the active rules compiled, recompiling only when a rule was added, changed or removed."""
    global _cached
    # One cheap aggregate per call tells every worker process when its compiled copy is stale.
    version = tuple(Rule.objects.aggregate(count=Count("id"), changed=Max("updated_at")).values())
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
