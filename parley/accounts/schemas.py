"""Request and response shapes of the accounts API: tokens, teams, agents."""
from datetime import datetime

from ninja import Schema
from pydantic import Field

from parley.accounts.models import Availability, Role
from parley.accounts.security import MAX_SESSION_HOURS
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
