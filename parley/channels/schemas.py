"""Request and response shapes of the inboxes API; configuration secrets never leave the server."""
import re
from datetime import datetime

from ninja import Schema
from pydantic import Field

from parley.api.schemas import InputSchema, ListQuery, ObjectId, Ref
from parley.channels.models import EnvelopeStatus

#: Configuration keys whose values are credentials (passwords, provider tokens, API keys).
SECRET_KEY_NAME = re.compile(r"pass|secret|token|key|credential|auth", re.IGNORECASE)
REDACTED = "********"


def config_redacted(config: dict) -> dict:
    """Return `config` with every credential-looking value replaced by a placeholder."""
    return {key: REDACTED if SECRET_KEY_NAME.search(key) and value else config_redacted(value) if isinstance(value, dict) else value
            for key, value in config.items()}


class InboxIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(min_length=1, max_length=20, description="A registered channel kind (api, email, webform …).")
    config: dict = {}
    default_team_id: ObjectId | None = None
    greeting: str = Field("", max_length=2000)


class InboxPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict | None = Field(None, description="Keys to change; a null value removes a key; keys left out stay.")
    default_team_id: ObjectId | None = None
    greeting: str | None = Field(None, max_length=2000)
    is_active: bool | None = None


class InboxOut(Schema):
    id: int
    name: str
    kind: str
    config: dict
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
        return config_redacted(inbox.config)


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
