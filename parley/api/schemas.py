"""Schema pieces every app's API shares: strict input, bounded ids, pages, references, attachments."""
import base64
import binascii
import json
import math
import re
from typing import Annotated, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from parley.channels.base import InboundAttachment
from parley.core.errors import ValidationFailed

#: A database id: positive and within a signed 64-bit integer, so huge numbers are a 422, not a database error.
ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _valid_email(value: str) -> str:
    value = value.strip().lower()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid email address") from None
    return value


#: An email address, lower-cased; the empty string means "none".
Email = Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_valid_email)]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable_part(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        if _LONE_SURROGATE.search(value):
            # JSON's \ud800 escapes can name half of a character; no database can store that as text.
            raise ValueError("contains a lone surrogate (an escape like \\ud800 that is half a character)")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a number JSON can carry (NaN and Infinity are refused)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_part(key)
            _storable_part(item)
    elif isinstance(value, list):
        for item in value:
            _storable_part(item)


def _storable(value):
    """Refuse what a database cannot keep as given: NUL, lone surrogates, NaN/Infinity, oversized JSON objects."""
    _storable_part(value)
    if isinstance(value, dict):
        limit = settings.PARLEY_MAX_METADATA_BYTES
        size = len(json.dumps(value, ensure_ascii=False).encode())
        if size > limit:
            raise ValueError(f"is {size} bytes as JSON; at most {limit} bytes are taken")
    return value


class InputSchema(Schema):
    """Base of every request body: a field the API does not know is refused, never ignored."""

    model_config = ConfigDict(extra="forbid")

    _storable_fields = field_validator("*", mode="before")(_storable)


class ListQuery(Schema):
    """Base of every list's query string: `limit` and `cursor`, and no parameter the list does not know."""

    limit: int = Field(25, ge=1, le=200)
    cursor: str = ""

    _storable_fields = field_validator("*", mode="before")(_storable)

    @model_validator(mode="after")
    def _known_parameters_only(self, info: ValidationInfo):
        request = (info.context or {}).get("request")
        if request is not None:
            unknown = sorted(set(request.GET) - set(type(self).model_fields))
            if unknown:
                # Raised past pydantic on purpose, so the answer names each parameter rather than the schema.
                raise ValidationFailed(gettext("The request is not valid."), extra={name: "unknown query parameter" for name in unknown})
        return self


class Ref(Schema):
    id: int
    name: str


class AttachmentIn(InputSchema):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field("application/octet-stream", max_length=120)
    content_base64: str

    @model_validator(mode="after")
    def _decodable(self):
        try:
            base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("content_base64 is not valid base64") from None
        return self

    def to_attachment(self) -> InboundAttachment:
        return InboundAttachment(filename=self.filename, content_type=self.content_type,
                                 content=base64.b64decode(self.content_base64))


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str = Field(description="Where to download the file with the same API token.")

    @staticmethod
    def resolve_url(attachment) -> str:
        path = reverse("api:attachment_download", kwargs={"conversation_id": attachment.message.conversation_id,
                                                         "attachment_id": attachment.pk})
        return settings.PARLEY_BASE_URL + path


Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    items: list[Item]
    next_cursor: str | None
