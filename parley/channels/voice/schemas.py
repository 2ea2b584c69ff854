from datetime import datetime

from ninja import Field, Schema

from parley.api.schemas import ListQuery, ObjectId


class CallQuery(ListQuery):
    contact_id: ObjectId | None = None
    inbox_id: ObjectId | None = None


class CallOut(Schema):
    id: int
    inbox_id: int
    call_sid: str
    direction: str
    from_number: str
    to_number: str
    contact_id: int | None
    conversation_id: int | None
    team_id: int | None
    agent_id: int | None
    ivr_path: list[str]
    language: str
    outcome: str
    started_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    talk_seconds: int | None
    recording_url: str
    notes: str
    disposition: str


class CallNotesIn(Schema):
    notes: str = Field("", max_length=10_000)
    disposition: str = Field("", max_length=60)


class CallStatsQuery(Schema):
    since: datetime | None = None
    until: datetime | None = None
    inbox_id: ObjectId | None = None
    team_id: ObjectId | None = None


class CallStatsOut(Schema):
    calls: int
    answered: int
    abandoned: int
    voicemail: int
    callback: int
    average_handle_seconds: int | None = Field(description="Mean talk time of answered inbound calls.")
    average_wait_seconds: int | None
    abandonment_rate: float | None = Field(description="Abandoned out of everyone who waited for someone (answered + abandoned).")
