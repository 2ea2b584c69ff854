"""Reads of agents and teams that views and the API share."""
from django.db.models import QuerySet

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
