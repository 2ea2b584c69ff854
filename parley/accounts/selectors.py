"""Reads of agents and teams that views and the API share."""
from django.db.models import Q, QuerySet

from parley.accounts.models import ApiToken, User


def agent_list(*, role: str = "", team_id: int | None = None) -> QuerySet:
    """Return agents, optionally only those of `role` or in team `team_id`."""
    agents = User.objects.prefetch_related("teams")
    if role:
        agents = agents.filter(role=role)
    if team_id:
        agents = agents.filter(teams__pk=team_id)
    return agents


def api_token_list(*, user: User) -> QuerySet:
    """Return the agent's own API tokens, newest first (secrets are never stored)."""
    return ApiToken.objects.filter(user=user)


def agent_is_invited(user: User) -> bool:
    """Return whether the agent was invited and has not set a password yet."""
    return not user.has_usable_password() and user.last_login is None


def mention_handles(agent: User) -> set[str]:
    """Return every way a note may @mention the agent: first name, first.last, email, or its local part."""
    first = agent.name.split()[0].lower() if agent.name else ""
    return {handle for handle in (first, mention_handle(agent), agent.email, agent.email.split("@")[0]) if handle}


def mention_handle(agent: User) -> str:
    """Return the handle the composer writes for the agent: first.last, or the email's local part without a name."""
    return ".".join(agent.name.lower().split()) or agent.email.split("@")[0]


#: Enough to pick from while typing; more letters narrow it.
MENTION_SUGGESTIONS = 8


def agents_to_mention(*, query: str) -> list[User]:
    """Return active agents whose name or email contains `query` (dots count as spaces: "ana.lo"), by name."""
    agents = User.objects.filter(is_active=True)
    for word in query.replace(".", " ").split():
        agents = agents.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return list(agents.order_by("name")[:MENTION_SUGGESTIONS])
