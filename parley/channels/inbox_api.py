"""Inboxes API (admins): configure channels and look at what arrived on them."""
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from parley.accounts.models import Team
from parley.accounts.permissions import require
from parley.api.lookups import referenced
from parley.api.pagination import paginate
from parley.api.schemas import ListQuery, ObjectId, Page
from parley.channels import services
from parley.channels.models import Inbox
from parley.channels.schemas import EnvelopeOut, EnvelopeQuery, InboxCreatedOut, InboxIn, InboxOut, InboxPatch

router = Router(tags=["inboxes"])


@router.get("/inboxes", response=Page[InboxOut])
def inbox_list(request, query: Query[ListQuery]):
    """List inboxes (configuration secrets masked)."""
    require(request.auth, "inbox.manage")
    return paginate(Inbox.objects.select_related("default_team").prefetch_related("addresses"), limit=query.limit, cursor=query.cursor)


@router.post("/inboxes", response={201: InboxCreatedOut})
def inbox_create(request, body: InboxIn):
    """Create an inbox; the answer carries its signing secret, which is not shown again."""
    require(request.auth, "inbox.manage")
    inbox = services.inbox_create(name=body.name, kind=body.kind, config=body.config, greeting=body.greeting, actor=request.auth,
                                  default_team=referenced(Team, body.default_team_id, field="default_team_id"))
    return Status(201, inbox)


@router.get("/inboxes/{inbox_id}", response=InboxOut)
def inbox_get(request, inbox_id: ObjectId):
    """Show one inbox (configuration secrets masked)."""
    require(request.auth, "inbox.manage")
    return get_object_or_404(Inbox, pk=inbox_id)


@router.patch("/inboxes/{inbox_id}", response=InboxOut)
def inbox_update(request, inbox_id: ObjectId, body: InboxPatch):
    """Change the fields given; `default_team_id: null` clears the default team."""
    require(request.auth, "inbox.manage")
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    fields = body.dict(exclude_unset=True, exclude_none=True, exclude={"default_team_id", "config"})
    if body.config is not None:
        fields["config"] = body.config  # as sent: a null inside it removes that key
    if "default_team_id" in body.model_fields_set:
        fields["default_team"] = referenced(Team, body.default_team_id, field="default_team_id")
    return services.inbox_update(inbox=inbox, actor=request.auth, **fields)


@router.delete("/inboxes/{inbox_id}", response={204: None})
def inbox_delete(request, inbox_id: ObjectId):
    """Delete an inbox that never had a conversation."""
    require(request.auth, "inbox.manage")
    services.inbox_delete(inbox=get_object_or_404(Inbox, pk=inbox_id), actor=request.auth)
    return Status(204, None)


@router.get("/inboxes/{inbox_id}/envelopes", response=Page[EnvelopeOut])
def envelope_list(request, inbox_id: ObjectId, query: Query[EnvelopeQuery]):
    """List the raw payloads an inbox received, newest first, with how processing went."""
    require(request.auth, "envelope.view")
    envelopes = get_object_or_404(Inbox, pk=inbox_id).envelopes.all()
    if query.status:
        envelopes = envelopes.filter(status=query.status)
    return paginate(envelopes, limit=query.limit, cursor=query.cursor)
