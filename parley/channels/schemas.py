"""Request and response shapes of the inboxes API; configuration secrets never leave the server."""
from datetime import datetime

from ninja import Schema
from pydantic import Field

from parley.api.schemas import InputSchema, ListQuery, ObjectId, Ref
from parley.channels.config import MASK, config_masked
from parley.channels.models import EnvelopeStatus
from parley.channels.registry import kinds as registered_kinds

CONFIG_HELP = ("The channel's settings, checked by its schema (see docs/channels.md). Secrets are write-only: "
               f"they come back as \"{MASK}\", and leaving one out (or sending \"{MASK}\") keeps the stored value.")


class InboxIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(min_length=1, max_length=20, description="A registered channel kind (api, email, webform …).",
                      # Read when the document is built: adapters register themselves once apps are loaded.
                      json_schema_extra=lambda schema: schema.update(enum=sorted(registered_kinds())))
    config: dict = Field({}, description=CONFIG_HELP)
    default_team_id: ObjectId | None = None
    greeting: str = Field("", max_length=2000)


class InboxPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict | None = Field(None, description="Keys to change; a null value removes a key; keys left out stay. " + CONFIG_HELP)
    default_team_id: ObjectId | None = None
    greeting: str | None = Field(None, max_length=2000)
    is_active: bool | None = None


class InboxOut(Schema):
    id: int
    name: str
    kind: str
    config: dict = Field(description=f"The settings, each secret shown as \"{MASK}\" when set.")
    secrets: dict[str, bool] = Field(description="Each secret setting by its path (imap.password …), and whether it is set.")
    addresses: list[str] = Field(description="What the inbox receives on, as indexed (kind:address).")
    default_team: Ref | None
    greeting: str
    is_active: bool
    created_at: datetime
    key: str = Field(description="The inbox's public key in its webhook URLs.")
    webhook_urls: list[str] = Field(description="Where the provider sends this inbox's webhooks.")

    @staticmethod
    def resolve_webhook_urls(inbox) -> list[str]:
        from parley.channels.webhooks import endpoint_urls

        return endpoint_urls(inbox)

    @staticmethod
    def resolve_config(inbox) -> dict:
        return config_masked(inbox)[0]

    @staticmethod
    def resolve_secrets(inbox) -> dict:
        return config_masked(inbox)[1]

    @staticmethod
    def resolve_addresses(inbox) -> list[str]:
        return [str(address) for address in inbox.addresses.all()]


class InboxCreatedOut(InboxOut):
    signing_secret: str = Field(description="Verifies the callbacks Parley sends for this inbox; shown this once.")


class EnvelopeQuery(ListQuery):
    status: EnvelopeStatus | None = None


class EnvelopeOut(Schema):
    id: int
    external_id: str
    status: str
    last_error: str
    message_id: int | None
    received_at: datetime
    processed_at: datetime | None
