"""The shape of a customer message posted to an API inbox, and of the answer."""
from typing import Literal

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator, model_validator

from parley.api.schemas import AttachmentIn, Email, InputSchema, ObjectId
from parley.contacts.models import LEGACY_IDENTITY_KINDS, IdentityKind
from parley.contacts.services import identity_kind
from parley.core.errors import ValidationFailed

#: An integration names its customers itself; only the email channel marks a sender unverified.
KINDS = Literal[tuple([*(k for k in IdentityKind.values if k != IdentityKind.UNVERIFIED_EMAIL), *LEGACY_IDENTITY_KINDS])]


class InboundContactIn(InputSchema):
    source_id: str = Field(min_length=1, max_length=320, description="Your system's id for this customer (or their email, phone …).")
    kind: KINDS = Field(IdentityKind.EXTERNAL_ID.value, description=(
        "What source_id is: email, phone (any common spelling; stored in E.164), handle (on `network`) or external_id. "
        "The older names whatsapp (a phone number), messenger, instagram, telegram, x and chat_visitor (handles on "
        "that network; chat_visitor is on chat) are still accepted."))
    network: str = Field("", max_length=30, description="The network of a handle: telegram, x, messenger, instagram, chat …")
    name: str = Field("", max_length=200)
    email: Email = ""
    phone: str = Field("", max_length=40)

    @field_validator("network")
    @classmethod
    def _network_of_kind(cls, network: str, info: ValidationInfo) -> str:
        try:
            return identity_kind(info.data.get("kind", ""), network)[1]
        except ValidationFailed as exc:
            raise ValueError(next(iter(exc.extra.values()))) from None

    @model_validator(mode="after")
    def _address_kind(self):
        # An old channel-named kind is stored as the address kind it stands for ("whatsapp" is a phone number).
        self.kind = identity_kind(self.kind, self.network)[0]
        return self


class InboundMessageIn(InputSchema):
    contact: InboundContactIn
    text: str = Field("", max_length=100_000)
    subject: str = Field("", max_length=300)
    conversation_id: ObjectId | None = Field(None, description="Continue this conversation (of this inbox).")
    attachments: list[AttachmentIn] = Field([], max_length=20)
    metadata: dict = {}
    idempotency_key: str = Field(min_length=1, max_length=255, description="Posting the same key again returns the first result.")

    @model_validator(mode="after")
    def _says_something(self):
        if not self.text.strip() and not self.attachments:
            raise ValueError("a message needs text or an attachment")
        return self


class InboundResultOut(Schema):
    envelope_id: int
    status: str = Field(description="received (queued), processed, or failed (see error).")
    message_id: int | None
    conversation_id: int | None
    error: str
