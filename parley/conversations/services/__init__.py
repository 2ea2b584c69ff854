"""Every write to conversations and messages: one function per use case.

Split by sub-domain: `inbound` (a customer message arrives), `outbound` (agents write,
the outbox delivers), `actions` (assign, status, tags, merge …). Import from here.
"""
from parley.conversations.services.actions import (
    conversation_assign,
    conversation_create,
    conversation_delete,
    conversation_escalate,
    conversation_link,
    conversation_merge,
    conversation_set_status,
    conversation_set_tags,
    conversation_update,
    conversations_assign_many,
    custom_status_create,
    tag_create,
    tag_delete,
)
from parley.conversations.services.inbound import message_receive
from parley.conversations.services.vocabulary import (
    custom_field_create,
    custom_field_move,
    custom_field_update,
    custom_status_move,
    custom_status_update,
    tag_update,
)
from parley.conversations.services.outbound import (
    message_auto_reply,
    message_complaint_record,
    message_deliver,
    message_delivery_delayed,
    message_note,
    message_reply,
    message_resend,
    message_set_delivery,
    notifications_mark_read,
)

__all__ = [
    "conversation_assign", "conversation_create", "conversation_delete", "conversation_escalate", "conversation_link",
    "conversation_merge", "conversation_set_status", "conversation_set_tags", "conversation_update", "conversations_assign_many", "custom_status_create",
    "message_auto_reply", "message_complaint_record", "message_deliver", "message_delivery_delayed", "message_note", "message_receive", "message_reply",
    "message_resend", "message_set_delivery", "notifications_mark_read",
    "tag_create", "tag_delete",
    "custom_field_create", "custom_field_move", "custom_field_update", "custom_status_move", "custom_status_update", "tag_update",
]
