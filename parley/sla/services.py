"""Every write of SLAs: policies, each conversation's due times, warnings, breaches and what follows them.

Due times are a function of the conversation (when it opened, when the customer last waited
for us, our last public reply, its priority) and the clock state kept here (time paused while
pending on the customer). `conversation_sla_refresh` computes them again from scratch, so every
subscriber that calls it is idempotent, and a calendar change recomputes in batches.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.models import Role, User
from parley.accounts.permissions import require
from parley.conversations.models import (
    ACTIVE_STATUSES, Conversation, Direction, Message, MessageKind, Notification, Priority, Status,
)
from parley.conversations.services import conversation_escalate
from parley.conversations.services.common import event_message
from parley.core import actors, events, jobs
from parley.core.errors import ApplicationError, ValidationFailed
from parley.core.i18n import in_language_of
from parley.core.kept import kept
from parley.core.services import audit_record
from parley.routing.hours import NeverOpen, WeeklySchedule, add_minutes, minutes_between
from parley.sla.models import ConversationSla, EscalationStep, SlaPolicy, Target

#: Conversations recomputed per transaction after a calendar or policy change.
RECOMPUTE_BATCH = 1000
#: The job that recomputes due times; its target is a calendar id, or ALL_CALENDARS after a policy change.
RECOMPUTE_QUEUE = "sla.recompute"
ALL_CALENDARS = 0
PAUSED_STATUSES = (Status.PENDING, Status.ON_HOLD)
TARGET_MINUTE_FIELDS = ("first_response_minutes", "next_response_minutes", "resolution_minutes", "periodic_update_minutes")


# --- policies ----------------------------------------------------------------------------------------

@transaction.atomic
def sla_policy_save(*, actor, name: str, policy: SlaPolicy | None = None, position: int = 0, is_active: bool = True,
                    inboxes=(), channel_kinds: list[str] = (), priorities: list[str] = (), tags: list[str] = (),
                    organizations=(), calendar=None, warn_before_minutes: int = 15, escalate_on_breach: bool = False,
                    **targets: int | None) -> SlaPolicy:
    """Create or change an SLA policy; at least one target, known priorities, and a name of its own."""
    require(actor, "sla.manage")
    name = name.strip()
    problems = {}
    if not name:
        problems["name"] = "required"
    elif SlaPolicy.objects.filter(name__iexact=name).exclude(pk=getattr(policy, "pk", None)).exists():
        problems["name"] = "taken"
    unknown = set(targets) - set(TARGET_MINUTE_FIELDS)
    if unknown:
        problems.update({field: "unknown field" for field in sorted(unknown)})
    if not any(targets.get(f) for f in TARGET_MINUTE_FIELDS):
        problems["targets"] = "set at least one target"
    if any(v is not None and (not isinstance(v, int) or v < 1) for v in targets.values()):
        problems["targets"] = "targets are whole minutes, at least 1"
    bad_priorities = sorted(set(priorities) - set(Priority.values))
    if bad_priorities:
        problems["priorities"] = f"unknown: {', '.join(bad_priorities)}"
    if problems:
        raise ValidationFailed(gettext("The SLA policy is not valid."), extra=problems)
    created = policy is None
    policy = policy or SlaPolicy()
    policy.name, policy.position, policy.is_active = name, position, is_active
    policy.channel_kinds, policy.priorities = sorted(set(channel_kinds)), sorted(set(priorities))
    policy.tags = sorted({t.strip().lower() for t in tags if t.strip()})
    policy.calendar, policy.warn_before_minutes, policy.escalate_on_breach = calendar, warn_before_minutes, escalate_on_breach
    for field in TARGET_MINUTE_FIELDS:
        setattr(policy, field, targets.get(field))
    policy.save()
    policy.inboxes.set(inboxes)
    policy.organizations.set(organizations)
    audit_record(actor=actor, action="sla_policy.created" if created else "sla_policy.updated", target=policy,
                 changes={"targets": policy.target_minutes()})
    # Open conversations take the policy (or leave it) from now on: recomputed by the worker.
    jobs.enqueue(RECOMPUTE_QUEUE, ALL_CALENDARS)
    return policy


@dataclass(frozen=True)
class ConversationFacts:
    """What policies match on and due times are computed from: one conversation, read without building models."""

    pk: int
    inbox_id: int
    kind: str
    priority: str
    status: str
    organization_id: int | None
    merged_into_id: int | None
    created_at: datetime
    first_response_at: datetime | None
    last_inbound_at: datetime | None
    last_reply_at: datetime | None


def policy_matching(conversation: ConversationFacts, policies: Iterable[SlaPolicy], tags: set[str]) -> SlaPolicy | None:
    """Return the first policy whose every condition the conversation meets."""
    for policy in policies:
        if policy.inbox_ids and conversation.inbox_id not in policy.inbox_ids:
            continue
        if policy.channel_kinds and conversation.kind not in policy.channel_kinds:
            continue
        if policy.priorities and conversation.priority not in policy.priorities:
            continue
        if policy.tags and not tags & set(policy.tags):
            continue
        if policy.organization_ids and conversation.organization_id not in policy.organization_ids:
            continue
        return policy
    return None


@kept(models=("sla.SlaPolicy", "routing.BusinessCalendar", "routing.Holiday"))
def active_policies() -> tuple[SlaPolicy, ...]:
    """The active policies in order, each with its inbox and organization ids and its schedule (kept: read-only)."""
    policies = tuple(SlaPolicy.objects.filter(is_active=True).select_related("calendar")
                     .prefetch_related("inboxes", "organizations", "calendar__holidays"))
    for policy in policies:
        policy.inbox_ids = frozenset(i.pk for i in policy.inboxes.all())
        policy.organization_ids = frozenset(o.pk for o in policy.organizations.all())
        policy.schedule = policy.calendar.schedule() if policy.calendar_id else None
    return policies


# --- due times ---------------------------------------------------------------------------------------

def due_times(*, targets: dict[str, int], schedule: WeeklySchedule | None, created_at: datetime,
              first_response_at: datetime | None, last_inbound_at: datetime | None, last_reply_at: datetime | None,
              priority: str, paused_minutes: float) -> dict[str, datetime]:
    """Return when each target is due for a conversation in this state (targets already met are left out)."""
    due = {}
    if Target.FIRST_RESPONSE in targets and first_response_at is None:
        due[Target.FIRST_RESPONSE] = add_minutes(schedule, created_at, targets[Target.FIRST_RESPONSE])
    # Waiting on us again: the customer wrote after our last reply (the first wait is the first response's).
    if (Target.NEXT_RESPONSE in targets and first_response_at is not None and last_inbound_at is not None
            and (last_reply_at is None or last_inbound_at > last_reply_at)):
        due[Target.NEXT_RESPONSE] = add_minutes(schedule, last_inbound_at, targets[Target.NEXT_RESPONSE])
    if Target.RESOLUTION in targets:
        due[Target.RESOLUTION] = add_minutes(schedule, created_at, targets[Target.RESOLUTION] + paused_minutes)
    if Target.PERIODIC_UPDATE in targets and priority == Priority.URGENT:
        due[Target.PERIODIC_UPDATE] = add_minutes(schedule, last_reply_at or created_at,
                                                  targets[Target.PERIODIC_UPDATE] + (0 if last_reply_at else paused_minutes))
    return due


def _last_public_reply():
    return Subquery(Message.objects.filter(conversation_id=OuterRef("pk"), direction=Direction.OUTBOUND,
                                           kind__in=(MessageKind.REPLY, MessageKind.BOT))
                    .exclude(metadata__has_key="automatic").order_by().values("conversation_id")
                    .annotate(at=Max("created_at")).values("at"))


def _stamp(at: datetime) -> str:
    """Name a due time the same way whichever time zone it was computed in (warned/breached keys, event payloads)."""
    return at.astimezone(UTC).isoformat()


def _apply(row: ConversationSla, due: dict[str, datetime]) -> None:
    """Store due times on the row, and when the checker must look at it next."""
    for target in Target.values:
        setattr(row, f"{target}_due_at", due.get(target))
    paused = row.paused_at is not None
    row.next_due_at = None if paused or not due else min(due.values())
    warn = timedelta(minutes=row.policy.warn_before_minutes)
    moments = []
    for target, at in due.items():
        stamp = _stamp(at)
        if row.breached.get(target) == stamp:
            continue
        moments.append(at if row.warned.get(target) == stamp else at - warn)
    row.check_at = None if paused or not moments else min(moments)


def _conversation_facts(conversation_ids: list[int]) -> tuple[list[ConversationFacts], dict[int, set[str]]]:
    """Read what policies match on for many conversations: their facts, and their tag names by conversation id."""
    conversations = [ConversationFacts(*row) for row in Conversation.objects.filter(pk__in=conversation_ids)
                     .annotate(last_reply_at=_last_public_reply()).values_list(
                         "pk", "inbox_id", "inbox__kind", "priority", "status", "contact__organization_id", "merged_into_id",
                         "created_at", "first_response_at", "last_inbound_at", "last_reply_at")]
    tag_names: dict[int, set[str]] = {}
    for conversation_id, tag in Conversation.tags.through.objects.filter(conversation_id__in=conversation_ids).values_list(
            "conversation_id", "tag__name"):
        tag_names.setdefault(conversation_id, set()).add(tag)
    return conversations, tag_names


def policies_matching(*, conversation_ids: list[int], policies: tuple[SlaPolicy, ...] | None = None) -> dict[int, int | None]:
    """Return the id of the policy each conversation falls under by its inbox, channel, priority, tags and organization,
    whatever its status: reports measure solved conversations against the promise they were made."""
    policies = active_policies() if policies is None else policies
    if not policies:
        return dict.fromkeys(conversation_ids)
    conversations, tag_names = _conversation_facts(conversation_ids)
    matched = {c.pk: policy_matching(c, policies, tag_names.get(c.pk, set())) for c in conversations}
    return {pk: policy and policy.pk for pk, policy in matched.items()}


def conversations_sla_refresh(*, conversation_ids: list[int], policies: tuple[SlaPolicy, ...] | None = None) -> int:
    """Match each conversation to its policy and compute its due times again; return how many have an SLA."""
    policies = active_policies() if policies is None else policies
    conversations, tag_names = _conversation_facts(conversation_ids)
    rows = {r.conversation_id: r for r in ConversationSla.objects.filter(conversation_id__in=conversation_ids)}
    changed, gone = [], []
    for conversation in conversations:
        policy = (policy_matching(conversation, policies, tag_names.get(conversation.pk, set()))
                  if conversation.status in ACTIVE_STATUSES and not conversation.merged_into_id else None)
        row = rows.get(conversation.pk)
        if policy is None:
            if row is not None:
                gone.append(conversation.pk)
            continue
        if row is None:
            row = ConversationSla(conversation_id=conversation.pk, policy=policy,
                                  paused_at=timezone.now() if conversation.status in PAUSED_STATUSES else None)
        row.policy = policy
        try:
            due = due_times(targets=policy.target_minutes(), schedule=policy.schedule, created_at=conversation.created_at,
                            first_response_at=conversation.first_response_at, last_inbound_at=conversation.last_inbound_at,
                            last_reply_at=conversation.last_reply_at, priority=conversation.priority,
                            paused_minutes=row.paused_minutes)
        except NeverOpen:
            due = {}
        _apply(row, due)
        changed.append(row)
    ConversationSla.objects.filter(conversation_id__in=gone).delete()
    fields = [f"{t}_due_at" for t in Target.values] + ["policy", "next_due_at", "check_at", "paused_at"]
    ConversationSla.objects.bulk_create(changed, update_conflicts=True, unique_fields=["conversation"], update_fields=fields)
    return len(changed)


def conversation_sla_refresh(*, conversation_id: int) -> None:
    policies = active_policies()
    # With no policy, and no clock left from one, there is nothing to write: no write lock is taken.
    if not policies and not ConversationSla.objects.filter(conversation_id=conversation_id).exists():
        return
    with transaction.atomic():
        conversations_sla_refresh(conversation_ids=[conversation_id], policies=policies)


def sla_recompute(*, calendar_id: int | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Compute the due times of every open conversation again (on one calendar's policies, or all), in batches.

    `progress(done, total)` is called after each batch, for the long run after a calendar change.
    """
    policies = active_policies()
    open_conversations = Conversation.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
    if calendar_id is not None:
        on_calendar = [p.pk for p in policies if p.calendar_id == calendar_id]
        open_conversations = open_conversations.filter(sla__policy_id__in=on_calendar)
    ids = list(open_conversations.order_by("pk").values_list("pk", flat=True))
    done = 0
    if progress is not None:
        progress(0, len(ids))
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        batch = ids[start:start + RECOMPUTE_BATCH]
        with transaction.atomic():
            conversations_sla_refresh(conversation_ids=batch, policies=policies)
        done += len(batch)
        if progress is not None:
            progress(done, len(ids))
    return done


@transaction.atomic
def sla_clock_status_changed(*, conversation_id: int, old: str, new: str, at: datetime) -> None:
    """Stop the clocks while the conversation waits on the customer; restart them, pushed back, when it stops."""
    row = (ConversationSla.objects.select_for_update(of=("self",)).select_related("policy__calendar")
           .filter(conversation_id=conversation_id).first())
    if row is not None:
        if new in PAUSED_STATUSES and row.paused_at is None:
            row.paused_at = at
        elif new not in PAUSED_STATUSES and row.paused_at is not None:
            schedule = row.policy.calendar.schedule() if row.policy.calendar_id else None
            row.paused_minutes += max(0.0, minutes_between(schedule, row.paused_at, at))
            row.paused_at = None
        row.save(update_fields=["paused_at", "paused_minutes"])
    conversations_sla_refresh(conversation_ids=[conversation_id])


# --- warnings, breaches, escalation ------------------------------------------------------------------

def sla_check(*, now: datetime | None = None, limit: int = 500) -> int:
    """Warn about targets due soon and act on the ones breached; each fires once per due time. Return how many fired."""
    now = now or timezone.now()
    fired = 0
    ids = list(ConversationSla.objects.filter(check_at__lte=now).order_by("check_at").values_list("pk", flat=True)[:limit])
    for conversation_id in ids:
        with transaction.atomic():
            row = (ConversationSla.objects.select_for_update(of=("self",)).select_related("policy", "conversation")
                   .filter(pk=conversation_id, check_at__lte=now).first())
            if row is not None:
                fired += _fire(row, now)
    return fired


def _fire(row: ConversationSla, now: datetime) -> int:
    warn = timedelta(minutes=row.policy.warn_before_minutes)
    fired = 0
    for target, due in row.due_times().items():
        stamp = _stamp(due)
        payload = {"conversation_id": row.conversation_id, "policy_id": row.policy_id, "target": target, "due_at": stamp}
        if now >= due and row.breached.get(target) != stamp:
            row.breached[target] = stamp
            events.publish("sla.breached", payload)
            _breached(row, target, due)
            fired += 1
        elif now >= due - warn and row.warned.get(target) != stamp and row.breached.get(target) != stamp:
            row.warned[target] = stamp
            events.publish("sla.warning", payload)
            fired += 1
    _apply(row, row.due_times())
    row.save(update_fields=["warned", "breached", "check_at", "next_due_at"])
    return fired


def supervisors_of(conversation: Conversation) -> list[User]:
    """Return who hears of a breach: the supervisors of the conversation's team, else every supervisor."""
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR)
    in_team = list(supervisors.filter(teams=conversation.team_id)) if conversation.team_id else []
    return in_team or list(supervisors)


def _breached(row: ConversationSla, target: str, due: datetime) -> None:
    conversation, policy = row.conversation, row.policy
    actor = actors.rule(f"SLA: {policy.name}")
    label = Target(target).label.lower()
    event_message(conversation, f"SLA “{policy.name}”: {label} was due {due:%Y-%m-%d %H:%M} UTC and is overdue.",
                  actor=actor, data={"sla_breached": target})
    for supervisor in supervisors_of(conversation):
        with in_language_of(supervisor):  # kept as written: in the words of the supervisor who reads it
            text = gettext("SLA breached on #%(number)s: %(target)s (%(policy)s)") % {
                "number": conversation.pk, "target": Target(target).label, "policy": policy.name}
        Notification.objects.create(recipient=supervisor, conversation=conversation, kind="sla_breached", text=text)
    if policy.escalate_on_breach:
        try:
            with transaction.atomic():
                conversation_escalate(conversation=conversation, actor=actor, reason=f"{label} overdue")
        except ApplicationError as exc:
            event_message(conversation, f"{actor} could not escalate this: {exc.message}", actor=actor)


# --- escalation paths --------------------------------------------------------------------------------

@transaction.atomic
def escalation_step_save(*, actor, team, tier: int, handled_by, required_fields: list[str] = (), procedure: str = "") -> EscalationStep:
    """Set who takes a team's conversations at tier 2 or 3, and the custom fields needed before."""
    require(actor, "sla.manage")
    if tier not in (2, 3):
        raise ValidationFailed(gettext("Escalation goes to tier 2 or 3."), extra={"tier": "2 or 3"})
    fields = sorted({f.strip() for f in required_fields if f.strip()})
    step, _ = EscalationStep.objects.update_or_create(team=team, tier=tier, defaults={
        "handled_by": handled_by, "required_fields": fields, "procedure": procedure.strip()})
    audit_record(actor=actor, action="escalation_step.saved", target=step,
                 changes={"tier": tier, "handled_by": str(handled_by), "required_fields": fields})
    return step


@transaction.atomic
def escalation_step_delete(*, step: EscalationStep, actor) -> None:
    require(actor, "sla.manage")
    audit_record(actor=actor, action="escalation_step.deleted", target=step, changes={"tier": step.tier})
    step.delete()


def escalation_plan(conversation: Conversation) -> tuple[object | None, list[str], str]:
    """Return the team that takes the next tier, the required custom fields still empty, and the procedure."""
    if not conversation.team_id:
        return None, [], ""
    step = EscalationStep.objects.select_related("handled_by").filter(team_id=conversation.team_id,
                                                                     tier=conversation.tier + 1).first()
    if step is None:
        return None, [], ""
    missing = [f for f in step.required_fields if conversation.custom_fields.get(f) in (None, "", [])]
    return step.handled_by, missing, step.procedure

