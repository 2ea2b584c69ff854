"""What the automation API takes and answers."""
from datetime import datetime
from typing import Literal

from ninja import Schema


class RuleIn(Schema):
    name: str
    kind: Literal["trigger", "time"]
    definition: dict
    is_active: bool = True
    position: int = 100


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    definition: dict
    is_active: bool
    position: int
    updated_at: datetime


class PreviewIn(Schema):
    kind: Literal["trigger", "time"]
    definition: dict
    conversation_id: int


class PreviewOut(Schema):
    matches: bool
    conditions: list[dict]
    timing: str
    actions: list[str]


class CannedResponseIn(Schema):
    shortcut: str
    title: str
    text: str


class CannedResponseOut(Schema):
    id: int
    shortcut: str
    title: str
    text: str


class MacroIn(Schema):
    name: str
    definition: dict


class MacroOut(Schema):
    id: int
    name: str
    definition: dict


class WebhookIn(Schema):
    name: str
    url: str
    events: list[str]
    allow_private: bool = False


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    allow_private: bool
    consecutive_failures: int
    disabled_reason: str
    #: Shown to admins only (only they reach webhooks): the receiver needs it to verify signatures.
    secret: str


class AttemptOut(Schema):
    status_code: int | None
    response_excerpt: str
    error: str
    duration_ms: int
    at: datetime


class DeliveryOut(Schema):
    id: int
    event_name: str
    state: str
    created_at: datetime
    attempts: list[AttemptOut]
