"""Rules: saving them (validated whole), running triggers on events and time rules on a clock, with loop detection."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.automation import actions as rule_actions
from parley.automation import definitions, engine
from parley.automation.models import Rule, RuleCausedEvent, RuleFiring, RuleKind
from parley.automation.services.names import unique_name
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Direction, Status
from parley.conversations.services.common import event_message
from parley.core import actors
from parley.core.errors import ValidationFailed
from parley.core.models import Event
from parley.core.services import audit_record

SCHEMAS = {RuleKind.TRIGGER: definitions.TriggerDefinition, RuleKind.TIME: definitions.TimeRuleDefinition}
#: The time a time rule counts from, by its `after.since`.
ANCHORS = {"created": "created_at", "last_message": "last_message_at", "last_inbound": "last_inbound_at", "solved": "solved_at"}


#: A chain may fire this many times its depth limit in all before it counts as a loop.
LOOP_BREADTH = 4


def max_chain() -> int:
    return settings.PARLEY_AUTOMATION_MAX_CHAIN


def definition_validate(*, kind: str, definition) -> definitions.Strict:
    """Return the parsed definition, or raise ValidationFailed with every problem, names checked against the database."""
    if kind not in SCHEMAS:
        raise ValidationFailed(gettext("Unknown kind of rule."), extra={"kind": f"must be one of {', '.join(SCHEMAS)}"})
    parsed = definitions.parse(SCHEMAS[kind], definition, what="rule")
    problems = rule_actions.references_check(parsed.actions)
    if problems:
        raise ValidationFailed(gettext("The rule is not valid: %(problem)s") % {"problem": next(iter(problems.values()))},
                               extra=problems)
    return parsed


@transaction.atomic
def rule_create(*, name: str, kind: str, definition: dict, actor, is_active: bool = True, position: int = 100) -> Rule:
    """Store a new rule, only when its whole definition is valid."""
    require(actor, "automation.manage")
    parsed = definition_validate(kind=kind, definition=definition)
    rule = Rule.objects.create(name=unique_name(Rule, name, what="rule"), kind=kind, definition=parsed.model_dump(mode="json", exclude_none=True),
                               is_active=is_active, position=position)
    audit_record(actor=actor, action="rule.created", target=rule, changes={"kind": kind})
    transaction.on_commit(engine.rules_changed)
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, actor, name: str, definition: dict, is_active: bool, position: int) -> Rule:
    """Change a rule; an invalid definition leaves the stored rule as it was."""
    require(actor, "automation.manage")
    parsed = definition_validate(kind=rule.kind, definition=definition)
    rule.name = unique_name(Rule, name, what="rule", exclude=rule.pk)
    rule.definition = parsed.model_dump(mode="json", exclude_none=True)
    rule.is_active, rule.position = is_active, position
    rule.save()
    audit_record(actor=actor, action="rule.updated", target=rule, changes={"is_active": is_active})
    transaction.on_commit(engine.rules_changed)
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule, actor) -> None:
    require(actor, "automation.manage")
    audit_record(actor=actor, action="rule.deleted", target=rule, changes={"name": rule.name})
    rule.delete()
    transaction.on_commit(engine.rules_changed)


def rule_preview(*, kind: str, definition: dict, conversation: Conversation, now: datetime | None = None) -> dict:
    """Say whether a rule (saved or not) would act on `conversation` now, condition by condition; change nothing."""
    parsed = definition_validate(kind=kind, definition=definition)
    # As if the customer's latest message had just arrived: that is the message text conditions test.
    latest = conversation.messages.filter(direction=Direction.INBOUND).order_by("-created_at", "-id").values_list("pk", flat=True).first()
    facts = engine.facts_for(conversation.pk, payload={"message_id": latest}) or {}
    lines = engine.explain(parsed.match, parsed.conditions, facts)
    held = engine.compile_conditions(parsed.match, parsed.conditions)(engine.prepare(facts))
    timing = ""
    if kind == RuleKind.TIME:
        anchor = getattr(conversation, ANCHORS[parsed.after.since])
        due = anchor + timedelta(hours=parsed.after.hours) if anchor else None
        now = now or timezone.now()
        timing = (f"{parsed.after.since.replace('_', ' ')} time is not set" if due is None
                  else f"due {'since' if due <= now else 'at'} {timezone.localtime(due):%Y-%m-%d %H:%M}")
        held = held and due is not None and due <= now
    return {"matches": held, "conditions": lines, "timing": timing,
            "actions": [rule_actions.describe(a) for a in parsed.actions]}


# --- running rules -----------------------------------------------------------------------------------

def _last_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _record_caused_events(*, after: int, conversation_id: int, actor, depth: int, root: int | None) -> None:
    """Remember the chain behind the events `actor`'s actions just published, so their own triggers know it."""
    label = str(actor)
    caused = [event.pk for event in Event.objects.filter(pk__gt=after).only("pk", "payload")
              if event.payload.get("conversation_id") == conversation_id and (event.payload.get("actor") or {}).get("label") == label]
    RuleCausedEvent.objects.bulk_create([RuleCausedEvent(event_id=pk, depth=depth, root_event_id=root or pk) for pk in caused],
                                        ignore_conflicts=True)


def _firing(rule: engine.CompiledRule, **fields) -> bool:
    """Record that `rule` fired (or was stopped); False when it had already, for this event or this time."""
    try:
        with transaction.atomic():
            RuleFiring.objects.create(rule_id=rule.id, fired_at=fields.pop("now", None) or timezone.now(), **fields)
    except IntegrityError:
        return False
    return True


def _fire(rule: engine.CompiledRule, *, conversation: Conversation, depth: int, root: int | None, event_id: int | None = None,
          anchor_at: datetime | None = None, trigger: dict | None = None, now: datetime | None = None) -> bool:
    """Record the firing and act; False when it had fired already (a redelivered event, a time already acted on)."""
    if not _firing(rule, conversation=conversation, event_id=event_id, anchor_at=anchor_at, depth=depth + 1,
                   root_event_id=root, now=now):
        return False
    actor = actors.rule(rule.name)
    marker = _last_event_id()
    rule_actions.perform_all(rule.definition.actions, conversation=conversation, actor=actor, trigger=trigger, keep_going=True)
    _record_caused_events(after=marker, conversation_id=conversation.pk, actor=actor, depth=depth + 1, root=root)
    return True


def _looping(*, depth: int, root: int) -> bool:
    """A chain is a loop when it is too deep, or (rules that each change two things) too wide."""
    if depth >= max_chain():
        return True
    return depth > 0 and RuleFiring.objects.filter(root_event_id=root).count() >= max_chain() * LOOP_BREADTH


def automation_on_event(name: str, payload: dict) -> None:
    """Queue the event's webhook deliveries, then run its triggers (the durable subscriber "automation").

    Both halves are idempotent, so a retry after a failing trigger queues no delivery twice.
    """
    from parley.automation.services.webhooks import webhooks_fan_out

    webhooks_fan_out(name, payload)
    automation_handle_event(name, payload)


def automation_handle_event(name: str, payload: dict) -> None:
    """Run the triggers of event `name` on the conversation it names, each at most once for this event."""
    conversation_id = payload.get("conversation_id")
    ruleset = engine.active_rules()
    rules = ruleset.for_event(name)
    if not rules or conversation_id is None:
        return
    facts = engine.facts_for(conversation_id, event=name, payload=payload, needed=ruleset.fields_for(name))
    if facts is None:
        return
    prepared = engine.prepare(facts)
    matching = [rule for rule in rules if rule.matches(prepared)]
    if not matching:
        return
    conversation = engine.conversation_queryset().get(pk=conversation_id)
    event_id = payload["event_id"]
    cause = RuleCausedEvent.objects.filter(event_id=event_id).first()
    depth, root = (cause.depth, cause.root_event_id) if cause else (0, event_id)
    with transaction.atomic():
        if _looping(depth=depth, root=root):
            _stop_loop(matching, conversation=conversation, depth=depth, root=root, event_id=event_id)
            return
        for rule in matching:
            _fire(rule, conversation=conversation, depth=depth, root=root, event_id=event_id,
                  trigger={"event": name, "payload": payload})


def _stop_loop(rules: list[engine.CompiledRule], *, conversation: Conversation, depth: int, root: int, event_id: int) -> None:
    """Do nothing more in this chain, and say so on the conversation once per chain (the note causes no event)."""
    noted = RuleFiring.objects.filter(root_event_id=root, stopped=True).exists()
    stopped = [rule.name for rule in rules if _firing(rule, conversation=conversation, event_id=event_id, depth=depth + 1,
                                                       root_event_id=root, stopped=True)]
    if stopped and not noted:
        names = ", ".join(f"'{n}'" for n in stopped)
        fired = RuleFiring.objects.filter(root_event_id=root, stopped=False).count()
        event_message(conversation, f"Automation stopped: rules kept triggering each other ({fired} rule actions from one change, "
                                    f"{depth} in a row), so rule {names} did not act. Check these rules' conditions.",
                      actor=actors.SYSTEM, data={"automation_loop": stopped, "depth": depth})


def _due_for(rule: engine.CompiledRule, now: datetime):
    """Conversations a time rule may act on: past its time and not yet fired for that time."""
    anchor = ANCHORS[rule.definition.after.since]
    cutoff = now - timedelta(hours=rule.definition.after.hours)
    already = RuleFiring.objects.filter(rule_id=rule.id, conversation=OuterRef("pk"), anchor_at=OuterRef(anchor))
    candidates = Conversation.objects.filter(Q(**{f"{anchor}__lte": cutoff}), merged_into__isnull=True).exclude(Exists(already))
    candidates = candidates.filter(status=Status.SOLVED) if anchor == "solved_at" else candidates.filter(status__in=ACTIVE_STATUSES)
    return candidates.filter(_prefilter(rule.definition)).select_related("inbox", "team", "assignee", "contact__organization").order_by(anchor, "pk")


#: Conditions the database can apply before facts are gathered, so conversations that can never match are not read.
_COLUMNS = {"conversation.status": "status", "conversation.priority": "priority", "conversation.type": "type"}


def _prefilter(definition) -> Q:
    query = Q()
    if definition.match != "all":
        return query
    for condition in definition.conditions:
        column = _COLUMNS.get(getattr(condition, "field", None))
        if column and condition.op == "is":
            query &= Q(**{column: condition.value})
        elif column and condition.op == "in":
            query &= Q(**{f"{column}__in": condition.value})
    return query


def time_rules_run(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Fire every time rule on the conversations whose time has come; return how many firings there were.

    Idempotent: a firing is recorded per (rule, conversation, the time it counted from), so a
    rule never acts twice for the same condition, however often or on however many workers this runs.
    """
    now = now or timezone.now()
    fired = 0
    for rule in engine.active_rules().time_rules:
        anchor = ANCHORS[rule.definition.after.since]
        for conversation in _due_for(rule, now)[:limit]:
            facts = engine.facts_for(conversation.pk)
            if facts is None or not rule.matches(engine.prepare(facts)):
                continue
            with transaction.atomic():
                fired += _fire(rule, conversation=conversation, depth=0, root=None, anchor_at=getattr(conversation, anchor), now=now)
    return fired


def automation_prune() -> int:
    """Forget loop bookkeeping and trigger firings of events the event log no longer keeps; return rows deleted.

    Nothing can redeliver such an event, so its firing no longer guards against running twice.
    Time-rule firings stay: they are what keeps a time rule from acting twice on the same condition.
    """
    oldest = Event.objects.order_by("pk").values_list("pk", flat=True).first()
    if oldest is None:
        return 0
    deleted = RuleCausedEvent.objects.filter(event_id__lt=oldest).delete()[0]
    return deleted + RuleFiring.objects.filter(event_id__lt=oldest, anchor_at__isnull=True).delete()[0]
