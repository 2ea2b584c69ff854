"""Reads of agents and teams that views and the API share."""
from django.db.models import QuerySet

from parley.accounts.models import User


def agent_list(*, role: str = "", team_id: int | None = None) -> QuerySet:
    """Return agents, optionally only those of `role` or in team `team_id`."""
    agents = User.objects.prefetch_related("teams")
    if role:
        agents = agents.filter(role=role)
    if team_id:
        agents = agents.filter(teams__pk=team_id)
    return agents
