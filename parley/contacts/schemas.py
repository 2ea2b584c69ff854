"""Request and response shapes of the contacts API."""
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from parley.api.schemas import Email, InputSchema, ListQuery, ObjectId, Ref
from parley.contacts.models import ExportStatus
from parley.contacts.selectors import email_address_status


class ContactIn(InputSchema):
    name: str = Field("", max_length=200)
    email: Email = ""
    phone: str = Field("", max_length=40)
    organization_id: ObjectId | None = None
    segment_ids: list[ObjectId] = []
    custom_attributes: dict = {}


class ContactPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    email: Email | None = None
    phone: str | None = Field(None, max_length=40)
    organization_id: ObjectId | None = None
    segment_ids: list[ObjectId] | None = None
    custom_attributes: dict | None = None
    language: str | None = Field(None, max_length=10, description="The language mail to the contact is written in "
                                 "(en, de, es); empty for the site's default.")


class ContactMergeIn(InputSchema):
    merge_id: ObjectId = Field(description="The contact merged into this one; it remains only as a pointer.")


class ContactQuery(ListQuery):
    q: str = Field("", max_length=200, description="Words in the name, email, phone or organization; or a phone number in any "
                                                  "common spelling.")
    search: str = Field("", max_length=200, description="The same as q.")
    email: str = Field("", max_length=254)
    organization_id: ObjectId | None = None
    segment_id: ObjectId | None = None


class IdentityOut(Schema):
    kind: str
    source_id: str
    inbox_id: int


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    organization: Ref | None
    segments: list[Ref]
    custom_attributes: dict
    language: str = Field(description="The language mail to the contact is written in; empty for the site's default.")
    identities: list[IdentityOut]
    merged_into_id: int | None
    email_status: Literal["ok", "complained", "undeliverable"] = Field(
        description="Whether mail to the contact's email reaches them: complained (reported our mail as spam, "
                    "unsubscribed) or undeliverable (hard bounces).")
    email_status_reason: str = Field(description="Why, in the provider's and plain words.")
    email_hard_bounces: int = Field(description="Permanent failures that condemned the address, one per failed reply.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_email_status(contact) -> str:
        return _email_status(contact)[0]

    @staticmethod
    def resolve_email_status_reason(contact) -> str:
        return _email_status(contact)[1]

    @staticmethod
    def resolve_email_hard_bounces(contact) -> int:
        return _email_status(contact)[2]

    @staticmethod
    def resolve_segments(contact) -> list:
        return list(contact.segments.all())

    @staticmethod
    def resolve_identities(contact) -> list:
        return list(contact.identities.all())


def _email_status(contact) -> tuple[str, str, int]:
    """Return (state, reason, hard bounces) from the list's annotations, or looked up for a single contact."""
    if hasattr(contact, "email_state"):
        return contact.email_state or "ok", contact.email_state_reason or "", contact.email_hard_bounces or 0
    status = email_address_status(address=contact.email)
    return status.state, status.reason, status.hard_bounces


class ContactExportOut(Schema):
    id: int
    contact_id: int
    status: ExportStatus
    done: int = Field(description="Messages written to the archive so far")
    total: int
    percent: int
    size: int = Field(description="Bytes of the finished archive")
    error: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None = Field(None, description="Where the finished zip downloads, with the same token")

    @staticmethod
    def resolve_download_url(export) -> str | None:
        from django.urls import reverse

        return reverse("api:contact_export_download", kwargs={"export_id": export.pk}) if export.status == ExportStatus.DONE else None


class ContactEraseIn(InputSchema):
    confirm: str = Field(description='Must be "ERASE": erasing cannot be undone')


class ContactErasedOut(Schema):
    contact_id: int
    conversations: int
    messages: int
    attachments: int
