"""SLA API: policies, and a conversation's due times."""
from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from parley.accounts.permissions import require
from parley.api.pagination import paginate
from parley.api.schemas import InputSchema, ListQuery, ObjectId, Page
from parley.conversations.models import Conversation
from parley.routing.models import BusinessCalendar
from parley.sla import selectors, services

router = Router(tags=["sla"])


class SlaPolicyIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    position: int = Field(0, ge=0)
    priorities: list[str] = []
    channel_kinds: list[str] = []
    tags: list[str] = []
    calendar_id: ObjectId | None = Field(None, description="Count business hours of this calendar; none: every minute.")
    first_response_minutes: int | None = Field(None, ge=1)
    next_response_minutes: int | None = Field(None, ge=1)
    resolution_minutes: int | None = Field(None, ge=1)
    periodic_update_minutes: int | None = Field(None, ge=1)
    warn_before_minutes: int = Field(15, ge=0)
    escalate_on_breach: bool = False


class SlaPolicyOut(Schema):
    id: int
    name: str
    position: int
    priorities: list[str]
    channel_kinds: list[str]
    tags: list[str]
    calendar_id: int | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    periodic_update_minutes: int | None
    warn_before_minutes: int
    escalate_on_breach: bool


class ConversationSlaOut(Schema):
    policy: str | None = None
    first_response_due_at: datetime | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    periodic_update_due_at: datetime | None = None
    next_due_at: datetime | None = None
    paused: bool = False
    breached: list[str] = []


@router.get("/sla/policies", response=Page[SlaPolicyOut])
def sla_policy_list(request, query: Query[ListQuery]):
    """List SLA policies in the order they are matched."""
    return paginate(selectors.policy_list(), limit=query.limit, cursor=query.cursor, newest_first=False)


@router.post("/sla/policies", response={201: SlaPolicyOut})
def sla_policy_create(request, body: SlaPolicyIn):
    """Create an SLA policy; one without any target, or with an unknown priority, is refused with the reason."""
    data = body.dict()
    calendar_id = data.pop("calendar_id")
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id) if calendar_id else None
    return Status(201, services.sla_policy_save(actor=request.auth, calendar=calendar, **data))


@router.get("/conversations/{conversation_id}/sla", response=ConversationSlaOut)
def conversation_sla(request, conversation_id: ObjectId):
    """Show when a conversation's SLA targets are due (all empty when no policy applies)."""
    require(request.auth, "conversation.view")
    conversation = get_object_or_404(Conversation, pk=conversation_id)
    row = selectors.conversation_sla(conversation_id=conversation.pk)
    if row is None:
        return ConversationSlaOut()
    return ConversationSlaOut(policy=row.policy.name, paused=row.paused_at is not None, breached=sorted(row.breached),
                              **{f"{t}_due_at": v for t, v in row.due_times().items()}, next_due_at=row.next_due_at)
