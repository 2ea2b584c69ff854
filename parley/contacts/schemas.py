"""Request and response shapes of the contacts API."""
from datetime import datetime

from ninja import Schema
from pydantic import Field

from parley.api.schemas import Email, InputSchema, ListQuery, ObjectId, Ref


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
    identities: list[IdentityOut]
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_segments(contact) -> list:
        return list(contact.segments.all())

    @staticmethod
    def resolve_identities(contact) -> list:
        return list(contact.identities.all())
