"""Every write of routing: calendars, policies, skills and capacity, and assigning conversations to agents.

Assignment runs in the worker (durable event subscribers, parley/subscriptions.py), never in the
request that received the message. It is safe with any number of workers: a batch locks its
conversations, then the candidate agents in id order, and counts their load only after holding
those locks, so two workers can neither exceed an agent's capacity nor assign a conversation twice.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from parley.accounts.models import Availability, Role, Team, User
from parley.accounts.permissions import require
from parley.channels.models import Inbox
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Direction, Message, MessageKind
from parley.conversations.services import conversation_assign, conversations_assign_many
from parley.conversations.services.common import event_message
from parley.core import actors, events, jobs
from parley.core.errors import ValidationFailed
from parley.core.i18n import in_english
from parley.core.kept import kept
from parley.core.services import audit_record
from parley.routing.hours import WeeklySchedule
from parley.routing.models import (
    DEFAULT_CAPACITY, AgentRouting, Assignment, BusinessCalendar, Holiday, QueuedConversation, RoutingPolicy, Skill, Strategy,
)

#: Conversations one transaction assigns: enough to amortise the locks, few enough to keep them short.
DRAIN_BATCH = 200
#: The job that assigns a policy's waiting conversations (target: the policy).
DRAIN_QUEUE = "routing.drain"


# --- calendars ---------------------------------------------------------------------------------------

def _checked_schedule(time_zone: str, hours: dict) -> None:
    try:
        schedule = WeeklySchedule.from_hours(time_zone, hours)
    except ValueError as exc:
        problem = exc.args[0] if exc.args else str(exc)
        raise ValidationFailed(gettext("The opening hours are not valid: %(problem)s.") % {"problem": problem},
                               extra={"hours": in_english(problem)}) from None
    except Exception:  # zoneinfo raises its own error types for unknown or malformed names
        raise ValidationFailed(gettext("Unknown time zone “%(zone)s”.") % {"zone": time_zone},
                               extra={"time_zone": "unknown time zone"}) from None
    if not any(schedule.weekly):
        raise ValidationFailed(gettext("A calendar needs at least one open hour in the week."), extra={"hours": "never open"})


def _calendar_changed(calendar: BusinessCalendar, actor, changes: dict) -> None:
    audit_record(actor=actor, action="calendar.updated", target=calendar, changes=changes)
    events.publish("calendar.updated", {"calendar_id": calendar.pk, "actor": actors.describe(actor)})


@transaction.atomic
def calendar_save(*, actor, name: str, time_zone: str, hours: dict, calendar: BusinessCalendar | None = None) -> BusinessCalendar:
    """Create a calendar or change one; the opening hours are checked before anything is stored."""
    require(actor, "routing.manage")
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A calendar needs a name."), extra={"name": "required"})
    if BusinessCalendar.objects.filter(name__iexact=name).exclude(pk=getattr(calendar, "pk", None)).exists():
        raise ValidationFailed(gettext("A calendar with this name exists."), extra={"name": "taken"})
    _checked_schedule(time_zone, hours)
    created = calendar is None
    calendar = calendar or BusinessCalendar()
    changes = {f: [getattr(calendar, f), v] for f, v in (("name", name), ("time_zone", time_zone), ("hours", hours))
               if getattr(calendar, f) != v}
    calendar.name, calendar.time_zone, calendar.hours = name, time_zone, hours
    calendar.save()
    if created:
        audit_record(actor=actor, action="calendar.created", target=calendar)
    elif changes:
        _calendar_changed(calendar, actor, changes)
    return calendar


def calendar_recompute_progress(*, calendar_id: int, done: int, total: int) -> None:
    """Record how far recomputing the SLA due times on a calendar has come (written outside the batches' transactions)."""
    BusinessCalendar.objects.filter(pk=calendar_id).update(recompute_done=done, recompute_total=total)


@transaction.atomic
def holiday_add(*, calendar: BusinessCalendar, actor, day: date, name: str = "", yearly: bool = False) -> Holiday:
    """Close the calendar on a day, once or every year."""
    require(actor, "routing.manage")
    if calendar.holidays.filter(date=day).exists():
        raise ValidationFailed(gettext("%(day)s is already a holiday.") % {"day": day}, extra={"date": "already a holiday"})
    holiday = Holiday.objects.create(calendar=calendar, date=day, name=name.strip()[:100], yearly=yearly)
    _calendar_changed(calendar, actor, {"holiday_added": [str(day), yearly]})
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, actor) -> None:
    require(actor, "routing.manage")
    calendar = holiday.calendar
    holiday.delete()
    _calendar_changed(calendar, actor, {"holiday_removed": str(holiday.date)})


# --- policies, skills, capacity ------------------------------------------------------------------------

@transaction.atomic
def routing_policy_save(*, actor, strategy: str, team: Team | None = None, inbox: Inbox | None = None,
                        calendar: BusinessCalendar | None = None, idle_reassign_minutes: int | None = None) -> RoutingPolicy:
    """Set how one team's or one inbox's conversations are assigned."""
    require(actor, "routing.manage")
    if (team is None) == (inbox is None):
        raise ValidationFailed(gettext("A routing policy is for one team or one inbox."), extra={"team": "team or inbox"})
    if strategy not in Strategy.values:
        raise ValidationFailed(gettext("Unknown strategy."), extra={"strategy": f"must be one of {', '.join(Strategy.values)}"})
    if idle_reassign_minutes is not None and idle_reassign_minutes < 1:
        raise ValidationFailed(gettext("Reassign after at least one minute."), extra={"idle_reassign_minutes": "at least 1"})
    policy, _ = RoutingPolicy.objects.get_or_create(team=team, inbox=inbox)
    changes = {f: [str(getattr(policy, f)), str(v)] for f, v in
               (("strategy", strategy), ("calendar", calendar), ("idle_reassign_minutes", idle_reassign_minutes))
               if getattr(policy, f) != v}
    policy.strategy, policy.calendar, policy.idle_reassign_minutes = strategy, calendar, idle_reassign_minutes
    policy.save()
    if changes:
        audit_record(actor=actor, action="routing_policy.updated", target=policy, changes=changes)
    if policy.is_automatic:
        jobs.enqueue(DRAIN_QUEUE, policy.pk)
    else:
        # Manual: agents pick from the Unassigned view; nothing waits for routing any more.
        policy.queue.all().delete()
    return policy


@transaction.atomic
def skill_create(*, name: str, actor) -> Skill:
    require(actor, "routing.manage")
    name = name.strip().lower()
    if not name or len(name) > 50:
        raise ValidationFailed(gettext("A skill needs a name of at most 50 characters."), extra={"name": "1 to 50 characters"})
    if Skill.objects.filter(name=name).exists():
        raise ValidationFailed(gettext("That skill exists."), extra={"name": "taken"})
    skill = Skill.objects.create(name=name)
    audit_record(actor=actor, action="skill.created", target=skill)
    return skill


@transaction.atomic
def agent_routing_set(*, agent: User, actor, skills: list[Skill], capacity: dict[str, int], default_capacity: int) -> AgentRouting:
    """Set an agent's skills and capacity per channel (conversations open at once)."""
    require(actor, "routing.manage")
    bad = {kind: "a whole number from 0 to 500" for kind, n in capacity.items() if not isinstance(n, int) or not 0 <= n <= 500}
    if bad or not 0 <= default_capacity <= 500:
        raise ValidationFailed(gettext("Capacity is a whole number from 0 to 500."), extra=bad or {"default_capacity": "0 to 500"})
    profile, _ = AgentRouting.objects.get_or_create(agent=agent)
    old = {"skills": sorted(profile.skills.values_list("name", flat=True)), "capacity": profile.capacity,
           "default_capacity": profile.default_capacity}
    profile.capacity, profile.default_capacity = capacity, default_capacity
    profile.save()
    profile.skills.set(skills)
    new = {"skills": sorted(s.name for s in skills), "capacity": capacity, "default_capacity": default_capacity}
    if old != new:
        audit_record(actor=actor, action="agent.routing_updated", target=agent, changes={"old": old, "new": new})
        # More room or new skills may let waiting conversations through.
        for policy_id in _policies_of_agent(agent):
            jobs.enqueue(DRAIN_QUEUE, policy_id)
    return profile


def _policies_of_agent(agent: User) -> list[int]:
    return list(RoutingPolicy.objects.filter(Q(team__members=agent) | Q(inbox__isnull=False, team__isnull=True))
                .exclude(strategy=Strategy.MANUAL).values_list("pk", flat=True).distinct())


# --- assignment ----------------------------------------------------------------------------------------

def policy_for(conversation: Conversation) -> RoutingPolicy | None:
    """Return the policy that routes `conversation`: its inbox's, else its team's."""
    return (RoutingPolicy.objects.select_related("calendar", "team", "inbox__default_team").filter(inbox_id=conversation.inbox_id).first()
            or (RoutingPolicy.objects.select_related("calendar", "team", "inbox__default_team").filter(team_id=conversation.team_id).first()
                if conversation.team_id else None))


@kept(models=("routing.RoutingPolicy",))
def _automatic_by_scope() -> dict[tuple[str, int], bool]:
    """Whether each inbox's and team's policy routes automatically: most desks route nothing automatically."""
    return {("inbox", inbox_id) if inbox_id else ("team", team_id): strategy != Strategy.MANUAL
            for inbox_id, team_id, strategy in RoutingPolicy.objects.values_list("inbox_id", "team_id", "strategy")}


def routes_automatically(conversation: Conversation) -> bool:
    """Whether the policy that policy_for returns for `conversation` assigns by itself, from the kept policies."""
    scopes = _automatic_by_scope()
    chosen = scopes.get(("inbox", conversation.inbox_id))
    if chosen is None and conversation.team_id:
        chosen = scopes.get(("team", conversation.team_id))
    return bool(chosen)


def _actor(policy: RoutingPolicy):
    return actors.rule(f"Routing: {policy.team or policy.inbox}")


def conversation_route(*, conversation_id: int) -> User | None:
    """Give an unassigned conversation to an agent by its policy, or leave it waiting in the queue; return the agent."""
    # Read before writing: most messages need no routing, and then no write lock is taken. _drain checks again under its locks.
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None or conversation.assignee_id or conversation.status not in ACTIVE_STATUSES or conversation.merged_into_id:
        return None
    if not routes_automatically(conversation):
        return None
    policy = policy_for(conversation)
    if policy is None or not policy.is_automatic:
        return None
    with transaction.atomic():
        QueuedConversation.objects.get_or_create(conversation=conversation, defaults={"policy": policy, "queued_at": timezone.now()})
        assigned = _drain(policy, conversation_ids=[conversation_id])
    return assigned.get(conversation_id)


def queue_drain(*, policy_id: int, limit: int = DRAIN_BATCH) -> int:
    """Assign waiting conversations of one policy, oldest first, while agents have room; return how many."""
    policy = RoutingPolicy.objects.select_related("calendar", "team", "inbox__default_team").filter(pk=policy_id).first()
    if policy is None or not policy.is_automatic:
        return 0
    total = 0
    while True:
        with transaction.atomic():
            assigned = _drain(policy, limit=limit)
        total += len(assigned)
        if len(assigned) < limit:
            return total


@dataclass
class _Candidates:
    """The agents who may take a policy's conversations right now, with their load per channel."""

    agents: list[User]
    profiles: dict[int, AgentRouting]
    load: Counter  # (agent id, channel kind) -> open conversations

    def capacity(self, agent: User, kind: str) -> int:
        profile = self.profiles.get(agent.pk)
        return profile.capacity_for(kind) if profile else DEFAULT_CAPACITY

    def room(self, agent: User, kind: str) -> bool:
        return self.load[agent.pk, kind] < self.capacity(agent, kind)

    def skills_of(self, agent: User) -> set[int]:
        profile = self.profiles.get(agent.pk)
        return profile.skill_ids if profile else set()


def routing_team(policy: RoutingPolicy) -> Team | None:
    """Return the team whose members a policy assigns to: its own, or its inbox's default team (None: everyone)."""
    return policy.team if policy.team_id else policy.inbox.default_team


def _candidate_pool(policy: RoutingPolicy):
    agents = User.objects.filter(is_active=True, availability=Availability.ONLINE).exclude(role=Role.LIGHT_AGENT)
    team = routing_team(policy)
    if team is not None:
        agents = agents.filter(teams=team)
    return agents


def _lock_candidates(policy: RoutingPolicy) -> _Candidates:
    """Lock the online agents of the policy in id order (one order for every worker: no deadlock), then count."""
    agents = list(_candidate_pool(policy).order_by("pk").select_for_update(of=("self",)))
    ids = [a.pk for a in agents]
    profiles = {p.agent_id: p for p in AgentRouting.objects.filter(agent_id__in=ids).prefetch_related("skills")}
    for profile in profiles.values():
        profile.skill_ids = {s.pk for s in profile.skills.all()}
    load = Counter()
    rows = (Conversation.objects.filter(assignee_id__in=ids, status__in=ACTIVE_STATUSES, merged_into__isnull=True)
            .values_list("assignee_id", "inbox__kind").annotate(n=Count("pk")))
    for agent_id, kind, n in rows:
        load[agent_id, kind] = n
    return _Candidates(agents, profiles, load)


def _order(policy: RoutingPolicy, candidates: _Candidates, kind: str, after_id: int | None) -> list[User]:
    agents = candidates.agents
    if policy.strategy == Strategy.ROUND_ROBIN:
        later = [a for a in agents if after_id is not None and a.pk > after_id]
        return later + [a for a in agents if a not in later]
    # Least loaded, and skills-based among the agents with the skills: the emptiest relative to capacity first.
    def fill(agent):
        return candidates.load[agent.pk, kind] / (candidates.capacity(agent, kind) or 1), agent.pk
    return sorted(agents, key=fill)


def _drain(policy: RoutingPolicy, *, conversation_ids: list[int] | None = None, limit: int = DRAIN_BATCH) -> dict[int, User]:
    """Assign queued conversations of `policy` inside the caller's transaction; return {conversation id: agent}."""
    now = timezone.now()
    entries = QueuedConversation.objects.filter(policy=policy)
    if conversation_ids is not None:
        entries = entries.filter(conversation_id__in=conversation_ids)
    # Another worker draining the same queue takes other conversations instead of waiting for these.
    entries = list(entries.order_by("queued_at", "conversation_id").select_for_update(skip_locked=True)[:limit])
    if not entries:
        return {}
    if policy.calendar_id and not policy.calendar.schedule().is_open(now):
        _wait(entries, gettext_noop("outside business hours"))
        return {}
    conversations = {c.pk: c for c in Conversation.objects.select_for_update(of=("self",))
                     .filter(pk__in=[e.conversation_id for e in entries]).select_related("inbox", "team").order_by("pk")}
    candidates = _lock_candidates(policy)
    needs = _skills_needed(policy, conversations)
    team = routing_team(policy)
    # Without a routing team each conversation keeps its own, and only that team's members may take it.
    members = None if team is not None else set(User.teams.through.objects.filter(
        team_id__in={c.team_id for c in conversations.values() if c.team_id}).values_list("team_id", "user_id"))
    assignments: list[tuple[Conversation, User, Team | None]] = []
    gone, waiting = [], {}
    last_agent_id = policy.last_agent_id
    for entry in entries:
        conversation = conversations.get(entry.conversation_id)
        if conversation is None or conversation.assignee_id or conversation.status not in ACTIVE_STATUSES or conversation.merged_into_id:
            gone.append(entry.conversation_id)
            continue
        kind = conversation.inbox.kind
        target_team = team or conversation.team
        pool = [a for a in _order(policy, candidates, kind, last_agent_id) if a.pk != entry.skip_agent_id
                and (members is None or target_team is None or (target_team.pk, a.pk) in members)]
        required = needs.get(conversation.pk, set())
        able = [a for a in pool if required <= candidates.skills_of(a)]
        agent = next((a for a in able if candidates.room(a, kind)), None)
        if agent is None:
            # Stored as written and translated when shown: the reader may read another language than the worker.
            waiting[entry.conversation_id] = (
                gettext_noop("no agent is online") if not pool else gettext_noop("no online agent has the skills it needs")
                if not able else gettext_noop("every agent with room is at capacity"))
            continue
        assignments.append((conversation, agent, target_team))
        candidates.load[agent.pk, kind] += 1
        last_agent_id = agent.pk
        gone.append(conversation.pk)
    if assignments:
        conversations_assign_many(assignments=assignments, actor=_actor(policy))
    QueuedConversation.objects.filter(conversation_id__in=gone).delete()
    for reason in set(waiting.values()):
        QueuedConversation.objects.filter(conversation_id__in=[c for c, r in waiting.items() if r == reason]).update(reason=reason)
    if policy.strategy == Strategy.ROUND_ROBIN and last_agent_id != policy.last_agent_id:
        RoutingPolicy.objects.filter(pk=policy.pk).update(last_agent_id=last_agent_id)
        policy.last_agent_id = last_agent_id
    return {conversation.pk: agent for conversation, agent, _ in assignments}


def _skills_needed(policy: RoutingPolicy, conversations: dict[int, Conversation]) -> dict[int, set[int]]:
    """Return the skills each conversation needs: the skills named like its tags (skills-based routing only)."""
    if policy.strategy != Strategy.SKILLS:
        return {}
    skills = dict(Skill.objects.values_list("name", "pk"))
    needs: dict[int, set[int]] = {}
    for conversation_id, tag in Conversation.tags.through.objects.filter(
            conversation_id__in=list(conversations)).values_list("conversation_id", "tag__name"):
        if tag in skills:
            needs.setdefault(conversation_id, set()).add(skills[tag])
    return needs


def _wait(entries: list[QueuedConversation], reason: str) -> None:
    QueuedConversation.objects.filter(conversation_id__in=[e.conversation_id for e in entries]).update(reason=reason)


def queue_drain_for_agent(*, agent_id: int) -> int:
    """An agent came online: let waiting conversations of their teams (and of inbox policies) through."""
    agent = User.objects.filter(pk=agent_id, availability=Availability.ONLINE).first()
    if agent is None:
        return 0
    return sum(queue_drain(policy_id=pk) for pk in _policies_of_agent(agent))


def queue_drain_after_solve(*, conversation_id: int) -> int:
    """A conversation was solved or closed: its agent has room again."""
    QueuedConversation.objects.filter(conversation_id=conversation_id).delete()
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    policy = policy_for(conversation) if conversation else None
    return queue_drain(policy_id=policy.pk) if policy and policy.is_automatic else 0


def assignment_record(*, conversation_id: int, assignee_id: int | None, at: datetime) -> None:
    """Remember since when the current agent holds a conversation (idempotent: an older event changes nothing)."""
    if assignee_id is None:
        Assignment.objects.filter(conversation_id=conversation_id, assigned_at__lte=at).delete()
        return
    QueuedConversation.objects.filter(conversation_id=conversation_id).delete()
    current = Assignment.objects.filter(conversation_id=conversation_id).first()
    if current is None:
        Assignment.objects.bulk_create([Assignment(conversation_id=conversation_id, agent_id=assignee_id, assigned_at=at)],
                                       ignore_conflicts=True)
    elif current.assigned_at <= at:
        Assignment.objects.filter(pk=conversation_id).update(agent_id=assignee_id, assigned_at=at)


def idle_assignments(*, now: datetime):
    """Return assignments whose customer has waited longer than their policy allows for the agent's reply."""
    answered = Message.objects.filter(conversation_id=OuterRef("conversation_id"), direction=Direction.OUTBOUND,
                                      kind=MessageKind.REPLY, author__isnull=False,
                                      created_at__gte=OuterRef("conversation__last_inbound_at"))
    idle = []
    for policy in RoutingPolicy.objects.filter(idle_reassign_minutes__isnull=False).exclude(strategy=Strategy.MANUAL):
        limit = now - timedelta(minutes=policy.idle_reassign_minutes)
        scope = Q(conversation__inbox=policy.inbox_id) if policy.inbox_id else Q(conversation__team=policy.team_id)
        found = (Assignment.objects.filter(scope, assigned_at__lte=limit, conversation__last_inbound_at__lte=limit,
                                           conversation__status__in=ACTIVE_STATUSES,
                                           conversation__assignee_id=F("agent_id"))
                 .exclude(Exists(answered)).select_related("conversation", "agent"))
        idle.extend((policy, a) for a in found if policy_for(a.conversation).pk == policy.pk)
    return idle


def assignments_reassign_idle(*, now: datetime | None = None) -> int:
    """Take conversations back from agents who left the customer waiting, with a note, and route them again."""
    now = now or timezone.now()
    moved = 0
    for policy, assignment in idle_assignments(now=now):
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=assignment.conversation_id)
            if conversation.assignee_id != assignment.agent_id:
                continue
            actor = _actor(policy)
            event_message(conversation, f"No reply from {assignment.agent} in {policy.idle_reassign_minutes} minutes: "
                                        f"{actor} takes it back to give it to someone else.", actor=actor,
                          data={"idle_agent": assignment.agent_id})
            conversation_assign(conversation=conversation, actor=actor, assignee=None, keep_team=True)
            Assignment.objects.filter(pk=conversation.pk).delete()
            QueuedConversation.objects.update_or_create(conversation=conversation, defaults={
                "policy": policy, "queued_at": now, "skip_agent_id": assignment.agent_id, "reason": ""})
            _drain(policy, conversation_ids=[conversation.pk])
            moved += 1
    return moved
