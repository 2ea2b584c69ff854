"""Accounts API: one's own API tokens, teams and their members, agents."""
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from parley.accounts import security, selectors, services, sso
from parley.accounts.models import ApiToken, Team, User
from parley.accounts.permissions import require
from parley.accounts.schemas import (
    AgentIn, AgentOut, AgentPatch, AgentQuery, SecurityPolicyIn, SecurityPolicyOut, SingleSignOnIn, SingleSignOnOut, TeamIn, TeamMembersIn, TeamOut, TeamPatch, TokenCreatedOut, TokenIn, TokenOut,
)
from parley.api.pagination import paginate
from parley.api.schemas import ListQuery, ObjectId, Page

router = Router()


@router.get("/tokens", response=Page[TokenOut], tags=["tokens"])
def token_list(request, query: Query[ListQuery]):
    """List your own API tokens (never their secrets)."""
    return paginate(selectors.api_token_list(user=request.auth), limit=query.limit, cursor=query.cursor)


@router.post("/tokens", response={201: TokenCreatedOut}, tags=["tokens"])
def token_create(request, body: TokenIn):
    """Create an API token for yourself; the secret is in this answer and nowhere else."""
    token, token.secret = services.api_token_create(user=request.auth, name=body.name)
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=TokenOut, tags=["tokens"])
def token_revoke(request, token_id: ObjectId):
    """Revoke one of your tokens; requests carrying it are refused from now on."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return services.api_token_revoke(token=token, actor=request.auth) if token.revoked_at is None else token


@router.get("/teams", response=Page[TeamOut], tags=["teams"])
def team_list(request, query: Query[ListQuery]):
    """List teams."""
    return paginate(Team.objects.prefetch_related("members"), limit=query.limit, cursor=query.cursor)


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def team_create(request, body: TeamIn):
    """Create a team, optionally with its members."""
    require(request.auth, "team.manage")
    team = services.team_create(name=body.name, description=body.description, member_ids=body.member_ids, actor=request.auth)
    return Status(201, team)


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def team_get(request, team_id: ObjectId):
    """Show one team."""
    return get_object_or_404(Team, pk=team_id)


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"])
def team_update(request, team_id: ObjectId, body: TeamPatch):
    """Rename a team or change its description."""
    require(request.auth, "team.manage")
    team = get_object_or_404(Team, pk=team_id)
    return services.team_update(team=team, actor=request.auth, name=body.name, description=body.description)


@router.put("/teams/{team_id}/members", response=TeamOut, tags=["teams"])
def team_set_members(request, team_id: ObjectId, body: TeamMembersIn):
    """Replace a team's members."""
    require(request.auth, "team.manage")
    team = get_object_or_404(Team, pk=team_id)
    return services.team_update(team=team, actor=request.auth, member_ids=body.member_ids)


@router.delete("/teams/{team_id}", response={204: None}, tags=["teams"])
def team_delete(request, team_id: ObjectId):
    """Delete a team; its conversations stay, without a team."""
    require(request.auth, "team.manage")
    services.team_delete(team=get_object_or_404(Team, pk=team_id), actor=request.auth)
    return Status(204, None)


@router.get("/agents", response=Page[AgentOut], tags=["agents"])
def agent_list(request, query: Query[AgentQuery]):
    """List agents, optionally of one role or team."""
    require(request.auth, "agent.manage")
    agents = selectors.agent_list(role=query.role or "", team_id=query.team_id)
    return paginate(agents, limit=query.limit, cursor=query.cursor)


@router.post("/agents", response={201: AgentOut}, tags=["agents"])
def agent_create(request, body: AgentIn):
    """Create an agent (the email is the login)."""
    require(request.auth, "agent.manage")
    agent = services.agent_create(email=body.email, name=body.name, password=body.password, role=body.role, actor=request.auth)
    return Status(201, agent)


@router.get("/agents/{agent_id}", response=AgentOut, tags=["agents"])
def agent_get(request, agent_id: ObjectId):
    """Show one agent."""
    require(request.auth, "agent.manage")
    return get_object_or_404(User, pk=agent_id)


@router.patch("/agents/{agent_id}", response=AgentOut, tags=["agents"])
def agent_update(request, agent_id: ObjectId, body: AgentPatch):
    """Change an agent's role and/or availability."""
    require(request.auth, "agent.manage")
    agent = get_object_or_404(User, pk=agent_id)
    with transaction.atomic():
        if body.role is not None:
            services.agent_set_role(user=agent, role=body.role, actor=request.auth)
        if body.availability is not None:
            services.agent_set_availability(user=agent, availability=body.availability)
    return agent


@router.get("/security", response=SecurityPolicyOut, tags=["security"])
def security_policy_show(request):
    """Show how agents sign in: the roles that must use two-factor, and the session lifetime in hours (null: the server's)."""
    require(request.auth, "security.manage")
    return security.security_policy()


@router.put("/security", response=SecurityPolicyOut, tags=["security"])
def security_policy_update(request, body: SecurityPolicyIn):
    """Choose the roles that must use two-factor sign-in, set the session lifetime, and scope agents to their teams."""
    return security.security_policy_update(actor=request.auth, two_factor_roles=body.two_factor_roles,
                                           session_hours=body.session_hours, team_scoping=body.team_scoping)


@router.get("/security/sso", response=SingleSignOnOut, tags=["security"])
def sso_show(request):
    """Show the single sign-on provider agents may sign in with (never its client secret)."""
    require(request.auth, "security.manage")
    return sso.sso_config()


@router.put("/security/sso", response=SingleSignOnOut, tags=["security"])
def sso_update(request, body: SingleSignOnIn):
    """Configure single sign-on; it applies from the next sign-in. A null or empty client_secret keeps the one in use."""
    return sso.sso_config_update(actor=request.auth, **body.dict())
