"""Conversations API: list, read, change, assign, escalate, merge, link and tag conversations; messages; tags."""
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from parley.accounts.models import Team, User
from parley.accounts.permissions import require
from parley.api.lookups import referenced
from parley.api.pagination import paginate
from parley.api.schemas import ListQuery, ObjectId, Page
from parley.channels.models import Inbox
from parley.contacts.models import Contact
from parley.conversations import services
from parley.conversations.models import Attachment, Conversation, CustomStatus, Tag
from parley.conversations.schemas import (
    AssignIn, ConversationCreateIn, ConversationOut, ConversationPatch, ConversationQuery, EscalateIn, LinkIn, MergeIn,
    MessageIn, MessageOut, TagIn, TagOut, TagsIn,
)
from parley.conversations.selectors import (
    ConversationFilters, conversation_list as select_conversations, conversation_timeline, visible_conversations,
)

router = Router(tags=["conversations"])


def _conversation(request, conversation_id: int) -> Conversation:
    return get_object_or_404(visible_conversations(user=request.auth).select_related(
        "contact", "inbox", "assignee", "team", "custom_status"), pk=conversation_id)


@router.get("/conversations", response=Page[ConversationOut])
def conversation_list(request, query: Query[ConversationQuery]):
    """List conversations, newest activity first, by view and filters."""
    require(request.auth, "conversation.view")
    filters = ConversationFilters(
        view=query.view, status=query.status or "", inbox_id=query.inbox_id, priority=query.priority or "", tag=query.tag,
        assignee_id=query.assignee_id, team_id=query.team_id, contact_id=query.contact_id, text=query.q,
        automatic=query.automatic)
    conversations = select_conversations(user=request.auth, filters=filters).prefetch_related("tags", "related")
    return paginate(conversations, limit=query.limit, cursor=query.cursor, keys=("last_message_at", "id"))


@router.post("/conversations", response={201: ConversationOut})
def conversation_create(request, body: ConversationCreateIn):
    """Start a conversation with a contact by sending them a first reply on an inbox's channel."""
    require(request.auth, "conversation.reply")
    inbox = referenced(Inbox.objects.filter(is_active=True), body.inbox_id, field="inbox_id")
    contact = referenced(Contact.objects.filter(merged_into__isnull=True), body.contact_id, field="contact_id")
    with transaction.atomic():
        conversation = services.conversation_create(inbox=inbox, contact=contact, subject=body.subject, priority=body.priority,
                                                    type=body.type, actor=request.auth)
        services.message_reply(conversation=conversation, author=request.auth, text=body.text)
    return Status(201, conversation)


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def conversation_get(request, conversation_id: ObjectId):
    """Show one conversation."""
    require(request.auth, "conversation.view")
    return _conversation(request, conversation_id)


@router.patch("/conversations/{conversation_id}", response=ConversationOut)
def conversation_update(request, conversation_id: ObjectId, body: ConversationPatch):
    """Change subject, priority, type, custom fields or status; fields left out stay as they are."""
    conversation = _conversation(request, conversation_id)
    fields = body.dict(exclude_unset=True, exclude_none=True, exclude={"status", "custom_status"})
    with transaction.atomic():
        if fields:
            services.conversation_update(conversation=conversation, actor=request.auth, **fields)
        if body.status is not None or "custom_status" in body.model_fields_set:
            services.conversation_set_status(
                conversation=conversation, actor=request.auth, status=body.status or conversation.status,
                custom_status=referenced(CustomStatus, body.custom_status, field="custom_status"))
    return conversation


@router.delete("/conversations/{conversation_id}", response={204: None})
def conversation_delete(request, conversation_id: ObjectId):
    """Delete a conversation and its messages for good."""
    services.conversation_delete(conversation=_conversation(request, conversation_id), actor=request.auth)
    return Status(204, None)


@router.post("/conversations/{conversation_id}/assign", response=ConversationOut)
def conversation_assign(request, conversation_id: ObjectId, body: AssignIn):
    """Assign to an agent and/or a team; null clears, and a team left out stays."""
    conversation = _conversation(request, conversation_id)
    return services.conversation_assign(
        conversation=conversation, actor=request.auth, keep_team="team_id" not in body.model_fields_set,
        assignee=referenced(User, body.assignee_id, field="assignee_id"), team=referenced(Team, body.team_id, field="team_id"))


@router.post("/conversations/{conversation_id}/escalate", response=ConversationOut)
def conversation_escalate(request, conversation_id: ObjectId, body: EscalateIn):
    """Raise the support tier by one, optionally handing the conversation to another team."""
    return services.conversation_escalate(conversation=_conversation(request, conversation_id), actor=request.auth, reason=body.reason,
                                          team=referenced(Team, body.team_id, field="team_id"))


@router.post("/conversations/{conversation_id}/merge", response=ConversationOut)
def conversation_merge(request, conversation_id: ObjectId, body: MergeIn):
    """Merge conversation `merge_id` into this one; the merged one is closed and points here."""
    keep = _conversation(request, conversation_id)
    merge = referenced(visible_conversations(user=request.auth), body.merge_id, field="merge_id")
    return services.conversation_merge(keep=keep, merge=merge, actor=request.auth)


@router.post("/conversations/{conversation_id}/links", response=ConversationOut)
def conversation_link(request, conversation_id: ObjectId, body: LinkIn):
    """Mark another conversation as related to this one."""
    conversation = _conversation(request, conversation_id)
    other = referenced(visible_conversations(user=request.auth), body.other_id, field="other_id")
    return services.conversation_link(conversation=conversation, other=other, actor=request.auth)


@router.put("/conversations/{conversation_id}/tags", response=ConversationOut)
def conversation_set_tags(request, conversation_id: ObjectId, body: TagsIn):
    """Replace the conversation's tags; new names become tags."""
    return services.conversation_set_tags(conversation=_conversation(request, conversation_id), actor=request.auth, tags=body.tags)


@router.get("/conversations/{conversation_id}/messages", response=Page[MessageOut])
def message_list(request, conversation_id: ObjectId, query: Query[ListQuery]):
    """List the conversation's messages, notes and events, oldest first."""
    require(request.auth, "conversation.view")
    timeline = conversation_timeline(conversation=_conversation(request, conversation_id))
    return paginate(timeline, limit=query.limit, cursor=query.cursor, keys=("created_at", "id"), newest_first=False)


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut})
def message_create(request, conversation_id: ObjectId, body: MessageIn):
    """Add a public reply (queued for delivery on the conversation's channel) or an internal note."""
    conversation = _conversation(request, conversation_id)
    attachments = [attachment.to_attachment() for attachment in body.attachments]
    if body.kind == "note":
        message = services.message_note(conversation=conversation, author=request.auth, text=body.text, attachments=attachments)
    else:
        message = services.message_reply(conversation=conversation, author=request.auth, text=body.text, html=body.html,
                                         attachments=attachments)
    return Status(201, message)


@router.get("/conversations/{conversation_id}/attachments/{attachment_id}", url_name="attachment_download",
            response={200: bytes}, openapi_extra={"responses": {200: {
                "description": "The file, as a download (Content-Disposition: attachment).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def attachment_download(request, conversation_id: ObjectId, attachment_id: ObjectId):
    """Download a file attached to one of the conversation's messages or notes."""
    require(request.auth, "conversation.view")
    attachment = get_object_or_404(Attachment, pk=attachment_id, message__conversation=_conversation(request, conversation_id))
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)


@router.post("/conversations/{conversation_id}/messages/{message_id}/resend", response=MessageOut)
def message_resend(request, conversation_id: ObjectId, message_id: ObjectId):
    """Queue a reply whose delivery failed again, with a fresh set of attempts (409 unless it failed)."""
    message = get_object_or_404(_conversation(request, conversation_id).messages, pk=message_id)
    return services.message_resend(message=message, actor=request.auth)


@router.get("/tags", response=Page[TagOut], tags=["tags"])
def tag_list(request, query: Query[ListQuery]):
    """List tags."""
    require(request.auth, "conversation.view")
    return paginate(Tag.objects.all(), limit=query.limit, cursor=query.cursor)


@router.post("/tags", response={201: TagOut}, tags=["tags"])
def tag_create(request, body: TagIn):
    """Create a tag."""
    return Status(201, services.tag_create(name=body.name, actor=request.auth))


@router.delete("/tags/{tag_id}", response={204: None}, tags=["tags"])
def tag_delete(request, tag_id: ObjectId):
    """Delete a tag; conversations carrying it lose it."""
    services.tag_delete(tag=get_object_or_404(Tag, pk=tag_id), actor=request.auth)
    return Status(204, None)
