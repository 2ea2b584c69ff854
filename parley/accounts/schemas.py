"""Request and response shapes of the accounts API: tokens, teams, agents."""
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from parley.accounts.models import Availability, Role
from parley.accounts.security import MAX_SESSION_HOURS
from parley.accounts.sso import MAX_LENGTHS, SIGN_ALGORITHMS
from parley.api.schemas import Email, InputSchema, ListQuery, ObjectId, Ref


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="The token itself: shown this once, never stored.")


class TeamIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    member_ids: list[ObjectId] = []


class TeamPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = None


class TeamMembersIn(InputSchema):
    member_ids: list[ObjectId]


class TeamOut(Schema):
    id: int
    name: str
    description: str
    members: list[Ref]

    @staticmethod
    def resolve_members(team) -> list:
        return list(team.members.all())


class AgentIn(InputSchema):
    email: Email = Field(min_length=3)
    name: str = Field("", max_length=150)
    role: Role = Role.AGENT
    password: str | None = Field(None, min_length=8, max_length=128)


class AgentPatch(InputSchema):
    role: Role | None = None
    availability: Availability | None = None


class AgentOut(Schema):
    id: int
    email: str
    name: str
    role: str
    availability: str
    is_active: bool
    team_ids: list[int]

    @staticmethod
    def resolve_team_ids(agent) -> list[int]:
        return [team.pk for team in agent.teams.all()]


class AgentQuery(ListQuery):
    role: Role | None = None
    team_id: ObjectId | None = None


class SecurityPolicyIn(InputSchema):
    two_factor_roles: list[Role] = Field(description="the roles whose agents must sign in with a second factor")
    session_hours: int | None = Field(None, ge=1, le=MAX_SESSION_HOURS, description="null: the server's PARLEY_SESSION_HOURS")
    team_scoping: bool = Field(False, description="Agents and light agents see only their teams' conversations")


class SecurityPolicyOut(Schema):
    two_factor_roles: list[Role]
    session_hours: int | None
    team_scoping: bool


SignAlgorithm = Literal[SIGN_ALGORITHMS]
ENDPOINT_HELP = "https:// (http:// only on localhost or 127.0.0.1); required while enabled"


class SingleSignOnIn(InputSchema):
    enabled: bool
    provider_name: str = Field("", max_length=MAX_LENGTHS["provider_name"], description='the login button says "Sign in with <this>"')
    client_id: str = Field("", max_length=MAX_LENGTHS["client_id"], description="required while enabled")
    client_secret: str | None = Field(None, max_length=MAX_LENGTHS["client_secret"],
                                      description="write-only; null or empty keeps the secret in use")
    authorization_endpoint: str = Field("", max_length=MAX_LENGTHS["authorization_endpoint"], description=ENDPOINT_HELP)
    token_endpoint: str = Field("", max_length=MAX_LENGTHS["token_endpoint"], description=ENDPOINT_HELP)
    userinfo_endpoint: str = Field("", max_length=MAX_LENGTHS["userinfo_endpoint"], description=ENDPOINT_HELP)
    jwks_endpoint: str = Field("", max_length=MAX_LENGTHS["jwks_endpoint"], description=ENDPOINT_HELP)
    sign_algo: SignAlgorithm = "RS256"


class SingleSignOnOut(Schema):
    enabled: bool
    provider_name: str
    client_id: str
    client_secret_set: bool = Field(description="whether a client secret is in use (it is never shown)")
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str
    sign_algo: str
    saved_in_workspace: bool = Field(description="false while the server's PARLEY_OIDC_* environment variables configure it")
