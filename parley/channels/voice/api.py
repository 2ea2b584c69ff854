"""Calls API: the call log, an agent's notes on a call, and handle and abandonment figures."""
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from parley.accounts.permissions import require
from parley.api.pagination import paginate
from parley.api.schemas import ObjectId, Page
from parley.channels.voice import selectors, services
from parley.channels.voice.schemas import CallNotesIn, CallOut, CallQuery, CallStatsOut, CallStatsQuery

router = Router(tags=["calls"])


@router.get("/calls", response=Page[CallOut])
def call_list(request, query: Query[CallQuery]):
    """List calls, newest first, optionally of one contact or one voice inbox."""
    require(request.auth, "conversation.view")
    return paginate(selectors.call_list(contact_id=query.contact_id, inbox_id=query.inbox_id), limit=query.limit,
                    cursor=query.cursor)


@router.get("/calls/stats", response=CallStatsOut)
def call_stats(request, query: Query[CallStatsQuery]):
    """Average handle time, average wait and abandonment of inbound calls started in [since, until)."""
    require(request.auth, "conversation.view")
    return selectors.call_stats(since=query.since, until=query.until, inbox_id=query.inbox_id, team_id=query.team_id)


@router.patch("/calls/{call_id}", response=CallOut)
def call_annotate(request, call_id: ObjectId, body: CallNotesIn):
    """Set an agent's notes and disposition on a call."""
    call = get_object_or_404(selectors.call_list(), pk=call_id)
    return services.call_annotate(call=call, actor=request.auth, notes=body.notes, disposition=body.disposition)
