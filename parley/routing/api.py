"""Routing API: business calendars and the queue of conversations waiting for an agent."""
from datetime import datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from parley.accounts.permissions import require
from parley.api.pagination import paginate
from parley.api.schemas import InputSchema, ListQuery, Page
from parley.routing import selectors, services

router = Router(tags=["routing"])


class CalendarIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    time_zone: str = Field("UTC", max_length=64)
    hours: dict[str, list[list[str]]] = Field(description='Opening hours per weekday: {"mon": [["09:00", "17:00"]]}')


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    hours: dict


class QueuedOut(Schema):
    conversation_id: int
    policy_id: int
    queued_at: datetime
    reason: str


@router.get("/routing/calendars", response=Page[CalendarOut])
def calendar_list(request, query: Query[ListQuery]):
    """List business calendars."""
    return paginate(selectors.calendar_list(), limit=query.limit, cursor=query.cursor, newest_first=False)


@router.post("/routing/calendars", response={201: CalendarOut})
def calendar_create(request, body: CalendarIn):
    """Create a business calendar; bad hours or an unknown time zone are refused with the reason."""
    return Status(201, services.calendar_save(actor=request.auth, name=body.name, time_zone=body.time_zone, hours=body.hours))


@router.get("/routing/queue", response=Page[QueuedOut])
def queue_list(request, query: Query[ListQuery]):
    """List the conversations waiting for an agent, oldest first, with why they wait."""
    require(request.auth, "conversation.view")
    return paginate(selectors.queue_list(), limit=query.limit, cursor=query.cursor, keys=("queued_at", "conversation_id"),
                    newest_first=False)
