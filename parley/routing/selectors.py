"""Reads of routing that views and the API share: calendars, policies, the queue, agents' load."""
from collections import Counter

from django.db.models import Count, QuerySet

from parley.accounts.models import Role, Team, User
from parley.channels.models import Inbox
from parley.conversations.models import ACTIVE_STATUSES, Conversation
from parley.routing.models import AgentRouting, BusinessCalendar, QueuedConversation, RoutingPolicy, Skill


def calendar_list() -> QuerySet:
    return BusinessCalendar.objects.prefetch_related("holidays")


def calendar_for_inbox(*, inbox: Inbox) -> BusinessCalendar | None:
    """Return the business calendar an inbox keeps: its routing policy's, else its default team's policy's, else None."""
    policies = RoutingPolicy.objects.filter(calendar__isnull=False).select_related("calendar")
    policy = (policies.filter(inbox=inbox).first()
              or (policies.filter(team_id=inbox.default_team_id).first() if inbox.default_team_id else None))
    return policy.calendar if policy else None


def queue_list() -> QuerySet:
    """Return the conversations waiting for an agent, oldest first."""
    return QueuedConversation.objects.select_related("conversation__contact", "policy__team", "policy__inbox")


def queue_sizes() -> list[tuple[str, int]]:
    """Return (team or inbox, conversations waiting) for every policy with a queue, longest first: the queue chart."""
    sizes = (QueuedConversation.objects.values("policy").annotate(n=Count("pk")).order_by("-n"))
    policies = {p.pk: p for p in RoutingPolicy.objects.select_related("team", "inbox")}
    return [(str(policies[row["policy"]].team or policies[row["policy"]].inbox), row["n"]) for row in sizes]


def policy_rows() -> list[tuple[str, object, RoutingPolicy | None]]:
    """Return ("team"|"inbox", the team or inbox, its policy or None) for every team and inbox."""
    policies = RoutingPolicy.objects.select_related("calendar")
    by_team = {p.team_id: p for p in policies if p.team_id}
    by_inbox = {p.inbox_id: p for p in policies if p.inbox_id}
    return ([("team", team, by_team.get(team.pk)) for team in Team.objects.all()]
            + [("inbox", inbox, by_inbox.get(inbox.pk)) for inbox in Inbox.objects.all()])


def agent_rows() -> list[dict]:
    """Return every assignable agent with skills, capacity and open conversations per channel."""
    agents = list(User.objects.filter(is_active=True).exclude(role=Role.LIGHT_AGENT).order_by("name"))
    profiles = {p.agent_id: p for p in AgentRouting.objects.prefetch_related("skills")}
    load = Counter()
    for agent_id, kind, n in (Conversation.objects.filter(assignee__in=agents, status__in=ACTIVE_STATUSES,
                                                          merged_into__isnull=True)
                              .values_list("assignee_id", "inbox__kind").annotate(n=Count("pk"))):
        load[agent_id] += n
    return [{"agent": a, "profile": profiles.get(a.pk), "open": load[a.pk]} for a in agents]


def skill_list() -> QuerySet:
    return Skill.objects.all()


class BusinessSchedules:
    """The routing calendars' opening hours by inbox and team, read once for many conversations.

    A conversation keeps the hours of the policy that routes it (its inbox's, else its team's, as in
    routing.services.policy_for); without a policy, or on a policy without a calendar, every hour counts.
    """

    def __init__(self):
        policies = RoutingPolicy.objects.select_related("calendar").prefetch_related("calendar__holidays")
        schedules = {}
        self.by_inbox, self.by_team = {}, {}
        for policy in policies:
            if policy.calendar_id and policy.calendar_id not in schedules:
                schedules[policy.calendar_id] = policy.calendar.schedule()
            schedule = schedules.get(policy.calendar_id)
            if policy.inbox_id:
                self.by_inbox[policy.inbox_id] = schedule
            else:
                self.by_team[policy.team_id] = schedule

    def for_conversation(self, conversation: Conversation):
        """Return the WeeklySchedule whose open hours count for `conversation`, or None when every hour does."""
        if conversation.inbox_id in self.by_inbox:
            return self.by_inbox[conversation.inbox_id]
        return self.by_team.get(conversation.team_id)
