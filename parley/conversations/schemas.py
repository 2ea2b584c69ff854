"""Request and response shapes of the conversations API: conversations, messages, tags."""
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, model_validator

from parley.api.schemas import AttachmentIn, AttachmentOut, InputSchema, ListQuery, ObjectId, Ref
from parley.conversations.models import ConversationType, Priority, Status
from parley.conversations.selectors import VIEWS

MAX_TEXT = 100_000


class ConversationQuery(ListQuery):
    view: Literal[VIEWS] = "all"
    status: Literal[(*Status.values, "active")] | None = Field(None, description='A status, or "active" for every unsolved one.')
    inbox_id: ObjectId | None = None
    priority: Priority | None = None
    tag: str = Field("", max_length=50)
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = None
    contact_id: ObjectId | None = None
    q: str = Field("", max_length=200, description="A #number, a customer's name or email, or words in messages.")
    automatic: bool | None = Field(None, description="true: only conversations opened by an automatic message (out of "
                                                     "office, list mail) that no person has written in since; false: "
                                                     "leave those out.")


class ConversationCreateIn(InputSchema):
    contact_id: ObjectId
    inbox_id: ObjectId
    subject: str = Field("", max_length=300)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    priority: Priority = Priority.NORMAL
    type: ConversationType = ConversationType.QUESTION


class ConversationPatch(InputSchema):
    subject: str | None = Field(None, max_length=300)
    priority: Priority | None = None
    type: ConversationType | None = None
    custom_fields: dict | None = None
    status: Status | None = None
    custom_status: ObjectId | None = Field(None, description="A custom status id (its category becomes the status); null clears it.")


class AssignIn(InputSchema):
    assignee_id: ObjectId | None = None
    team_id: ObjectId | None = Field(None, description="Left out: the team stays. null: no team.")


class EscalateIn(InputSchema):
    reason: str = Field("", max_length=1000)
    team_id: ObjectId | None = None


class MergeIn(InputSchema):
    merge_id: ObjectId = Field(description="The conversation merged into this one and closed.")


class LinkIn(InputSchema):
    other_id: ObjectId


class TagsIn(InputSchema):
    tags: list[str] = Field(max_length=50)


class CustomStatusOut(Schema):
    id: int
    name: str
    category: str


class InboxRef(Schema):
    id: int
    name: str
    kind: str


class ContactRef(Schema):
    id: int
    name: str
    email: str


class ConversationOut(Schema):
    id: int
    subject: str
    status: str
    status_label: str
    custom_status: CustomStatusOut | None
    priority: str
    type: str
    tier: int
    inbox: InboxRef
    contact: ContactRef
    assignee: Ref | None
    team: Ref | None
    tags: list[str]
    custom_fields: dict
    preview: str
    started_automatic: bool = Field(description="Opened by an automatic message that no person has written in since.")
    merged_into_id: int | None
    related_ids: list[int]
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None

    @staticmethod
    def resolve_tags(conversation) -> list[str]:
        return [tag.name for tag in conversation.tags.all()]

    @staticmethod
    def resolve_related_ids(conversation) -> list[int]:
        return [other.pk for other in conversation.related.all()]


class MessageIn(InputSchema):
    kind: Literal["reply", "note"]
    text: str = Field("", max_length=MAX_TEXT)
    html: str = Field("", max_length=MAX_TEXT, description="Replies only; sanitized before it is stored.")
    attachments: list[AttachmentIn] = Field([], max_length=20)

    @model_validator(mode="after")
    def _notes_are_plain_text(self):
        if self.kind == "note" and self.html:
            raise ValueError("html is for replies; a note is plain text")
        return self


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: str
    kind: str
    author: Ref | None
    sender_contact_id: int | None
    text: str
    html: str
    delivery_status: str
    failure_reason: str
    attachments: list[AttachmentOut]
    created_at: datetime
    sent_at: datetime | None
    is_automatic: bool = Field(False, description="Sent by a machine (auto-reply, out of office, list mail).")
    is_forward: bool = Field(False, description="The customer forwarded a message; its content is part of text.")
    reported_as_spam: bool = Field(False, description="The recipient reported this reply as spam (a feedback-loop "
                                                      "complaint); their address is unsubscribed.")
    quoted_text: str = Field("", description="The quoted history trimmed from text.")
    quoted_html: str = Field("", description="The quoted history trimmed from html, sanitized.")
    signature: str = Field("", description="The signature block folded out of text.")
    signature_html: str = Field("", description="The signature block folded out of html, sanitized.")
    sender_unverified: bool = Field(False, description="The From header did not name one sender clearly (see "
                                                       "docs/security.md): not matched to a known customer.")
    authentication_failures: list[str] = Field([], description="SPF/DKIM/DMARC checks the receiving mail server "
                                                               "reported as failed, e.g. [\"dmarc=fail\"].")

    @staticmethod
    def resolve_attachments(message) -> list:
        return list(message.attachments.all())

    @staticmethod
    def resolve_sender_unverified(message) -> bool:
        return bool((message.metadata or {}).get("sender_unverified"))

    @staticmethod
    def resolve_authentication_failures(message) -> list[str]:
        return [str(failure) for failure in (message.metadata or {}).get("authentication_failures") or []]

    @staticmethod
    def resolve_is_automatic(message) -> bool:
        return bool((message.metadata or {}).get("auto_reply"))

    @staticmethod
    def resolve_reported_as_spam(message) -> bool:
        return bool((message.metadata or {}).get("complaint"))

    @staticmethod
    def resolve_is_forward(message) -> bool:
        return bool((message.metadata or {}).get("is_forward"))

    @staticmethod
    def resolve_quoted_text(message) -> str:
        return str((message.metadata or {}).get("quoted_text") or "")

    @staticmethod
    def resolve_quoted_html(message) -> str:
        return str((message.metadata or {}).get("quoted_html") or "")

    @staticmethod
    def resolve_signature(message) -> str:
        return str((message.metadata or {}).get("signature") or "")

    @staticmethod
    def resolve_signature_html(message) -> str:
        return str((message.metadata or {}).get("signature_html") or "")


class TagIn(InputSchema):
    name: str = Field(min_length=1, max_length=50)


class TagOut(Schema):
    id: int
    name: str
