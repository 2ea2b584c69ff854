"""What a rule, a macro and their actions may say, checked by pydantic before anything is stored.

A definition is JSON an admin writes (Settings → Automations). Shapes and values are checked
here; names that point at rows (an agent's email, a team, a canned response, a webhook) are
checked by the services against the database. Either way a definition that is not valid is
refused whole, with the reason, and never stored.
"""
from __future__ import annotations

import dataclasses
import re
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator, model_validator

from parley.conversations.models import ConversationType, Priority, Status
from parley.core.errors import ValidationFailed
from parley.core.events import EVENTS

MAX_TIER = 3
SHORTCUT = re.compile(r"[a-z0-9_-]{1,40}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- conditions --------------------------------------------------------------------------------------

TEXT_OPS = ("is", "is_not", "contains", "not_contains", "in", "not_in", "is_set", "is_not_set")
CHOICE_OPS = ("is", "is_not", "in", "not_in")
NUMBER_OPS = ("is", "is_not", "gt", "gte", "lt", "lte", "in", "not_in")
LIST_OPS = ("contains", "not_contains", "is_set", "is_not_set")
ANY_OPS = tuple(dict.fromkeys(TEXT_OPS + NUMBER_OPS))
Op = Literal["is", "is_not", "contains", "not_contains", "in", "not_in", "gt", "gte", "lt", "lte", "is_set", "is_not_set"]


class FieldSpec(typing.NamedTuple):
    label: str
    ops: tuple[str, ...]
    choices: tuple[str, ...] = ()


#: Every field a condition may test. The facts behind them are gathered in automation.engine.
FIELDS: dict[str, FieldSpec] = {
    "conversation.status": FieldSpec("Status", CHOICE_OPS, tuple(Status.values)),
    "conversation.priority": FieldSpec("Priority", CHOICE_OPS, tuple(Priority.values)),
    "conversation.type": FieldSpec("Type", CHOICE_OPS, tuple(ConversationType.values)),
    "conversation.tier": FieldSpec("Tier", NUMBER_OPS),
    "conversation.subject": FieldSpec("Subject", TEXT_OPS),
    "conversation.channel": FieldSpec("Channel kind (email, webform, api …)", TEXT_OPS),
    "conversation.inbox": FieldSpec("Inbox name", TEXT_OPS),
    "conversation.team": FieldSpec("Team name", TEXT_OPS),
    "conversation.assignee": FieldSpec("Assignee's email", TEXT_OPS),
    "conversation.tags": FieldSpec("Tags", LIST_OPS),
    "conversation.answered": FieldSpec("An agent has replied (true or false)", ("is",), (True, False)),
    "contact.name": FieldSpec("Customer's name", TEXT_OPS),
    "contact.email": FieldSpec("Customer's email", TEXT_OPS),
    "contact.phone": FieldSpec("Customer's phone", TEXT_OPS),
    "contact.organization": FieldSpec("Customer's organization", TEXT_OPS),
    "contact.segments": FieldSpec("Customer's segments", LIST_OPS),
    "message.text": FieldSpec("Text of the message the event is about", TEXT_OPS),
    "event.changed": FieldSpec("Fields the event changed (conversation.updated)", LIST_OPS),
}
#: Open-ended fields: any key after the prefix.
FIELD_PREFIXES = {
    "conversation.custom_fields.": "Custom field",
    "contact.attributes.": "Customer attribute",
}


def field_spec(name: str) -> FieldSpec | None:
    if name in FIELDS:
        return FIELDS[name]
    for prefix, label in FIELD_PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return FieldSpec(f"{label} {name[len(prefix):]}", ANY_OPS)
    return None


Scalar = Union[str, int, float, bool]


class Condition(Strict):
    field: str
    op: Op
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        spec = field_spec(self.field)
        if spec is None:
            raise ValueError(f"unknown field {self.field!r}; known: {', '.join(FIELDS)} and "
                             f"{', '.join(p + '<key>' for p in FIELD_PREFIXES)}")
        if self.op not in spec.ops:
            raise ValueError(f"{self.field} cannot be tested with {self.op!r}; use one of {', '.join(spec.ops)}")
        if self.op in ("is_set", "is_not_set"):
            if self.value is not None:
                raise ValueError(f"{self.op} takes no value")
            return self
        if self.value is None:
            raise ValueError(f"{self.op} needs a value")
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"{self.op} needs a list of values")
        if self.op not in ("in", "not_in") and isinstance(self.value, list):
            raise ValueError(f"{self.op} needs one value, not a list")
        if self.op in ("gt", "gte", "lt", "lte") and (isinstance(self.value, bool) or not isinstance(self.value, (int, float))):
            raise ValueError(f"{self.op} needs a number")
        if spec.choices:
            given = self.value if isinstance(self.value, list) else [self.value]
            unknown = [v for v in given if v not in spec.choices]
            if unknown:
                raise ValueError(f"{self.field} is one of {', '.join(spec.choices)}, not {', '.join(map(str, unknown))}")
        return self


def _condition_or_group(data) -> str:
    fields = data if isinstance(data, dict) else vars(data)
    return "condition" if "field" in fields else "group"


class ConditionGroup(Strict):
    match: Literal["all", "any"] = "all"
    conditions: list[ConditionOrGroup] = Field(min_length=1)


ConditionOrGroup = Annotated[Union[Annotated[Condition, Tag("condition")], Annotated[ConditionGroup, Tag("group")]],
                             Discriminator(_condition_or_group)]
ConditionGroup.model_rebuild()


# --- actions -----------------------------------------------------------------------------------------

class Assign(Strict):
    type: Literal["assign"]
    #: The agent's email; null unassigns.
    agent: str | None


class SetTeam(Strict):
    type: Literal["set_team"]
    team: str | None


class SetPriority(Strict):
    type: Literal["set_priority"]
    priority: Literal[tuple(Priority.values)]  # type: ignore[valid-type]


class SetStatus(Strict):
    type: Literal["set_status"]
    status: Literal[tuple(Status.values)]  # type: ignore[valid-type]


class SetTier(Strict):
    """Raise the tier to `tier` through the escalation service (a rule never lowers a tier)."""
    type: Literal["set_tier"]
    tier: int = Field(ge=2, le=MAX_TIER)


class Escalate(Strict):
    """One tier up, through the escalation service, with the reason on the timeline."""
    type: Literal["escalate"]
    reason: str = ""


class AddTags(Strict):
    type: Literal["add_tags"]
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(min_length=1)


class RemoveTags(Strict):
    type: Literal["remove_tags"]
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(min_length=1)


class SetCustomField(Strict):
    type: Literal["set_custom_field"]
    key: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_-]+$")
    value: Scalar | None


class Reply(Strict):
    """A public reply: a canned response by its shortcut, or text; both may use {{variables}}."""
    type: Literal["reply"]
    canned: str | None = None
    text: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Reply:
        if bool(self.canned) == bool(self.text and self.text.strip()):
            raise ValueError("a reply needs either canned (a shortcut) or text, not both")
        return self


class Note(Strict):
    type: Literal["note"]
    text: str = Field(min_length=1)


class Notify(Strict):
    """Notify agents: "assignee", "team" (its members) or agents' emails."""
    type: Literal["notify"]
    agents: list[str] = Field(min_length=1)
    text: str = Field(min_length=1, max_length=250)


class CallWebhook(Strict):
    type: Literal["webhook"]
    webhook: str = Field(min_length=1)


Action = Annotated[Union[Assign, SetTeam, SetPriority, SetStatus, SetTier, Escalate, AddTags, RemoveTags, SetCustomField,
                         Reply, Note, Notify, CallWebhook], Field(discriminator="type")]


# --- rules and macros --------------------------------------------------------------------------------

class TriggerDefinition(Strict):
    """On any of `events`, when the conditions hold, do the actions."""
    events: list[str] = Field(min_length=1)
    match: Literal["all", "any"] = "all"
    conditions: list[ConditionOrGroup] = Field(default_factory=list)
    actions: list[Action] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def _known_events(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in EVENTS:
                raise ValueError(f"unknown event {name!r}")
            if name not in conversation_events():
                raise ValueError(f"{name} is not about a conversation; triggers act on conversations")
        return names


class Since(Strict):
    """How long since one of the conversation's times."""
    since: Literal["created", "last_message", "last_inbound", "solved"]
    hours: float = Field(gt=0, le=24 * 365)


class TimeRuleDefinition(Strict):
    """When `after.hours` have passed since `after.since` and the conditions hold, do the actions, once."""
    after: Since
    match: Literal["all", "any"] = "all"
    conditions: list[ConditionOrGroup] = Field(default_factory=list)
    actions: list[Action] = Field(min_length=1)


class MacroDefinition(Strict):
    actions: list[Action] = Field(default_factory=list)
    reply: str = ""

    @model_validator(mode="after")
    def _does_something(self) -> MacroDefinition:
        if not self.actions and not self.reply.strip():
            raise ValueError("a macro needs at least one action or a reply")
        return self


def conversation_events() -> list[str]:
    """Names of the registered events whose payload names a conversation: the ones triggers can act on."""
    return [name for name, payload in EVENTS.items() if "conversation_id" in {f.name for f in dataclasses.fields(payload)}]


def parse(schema: type[Strict], data: Any, *, what: str) -> Strict:
    """Return `data` validated as `schema`, or raise ValidationFailed naming every problem by its place."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"The {what} must be a JSON object.", extra={"definition": "must be an object"})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = {}
        for error in exc.errors():
            place = ".".join(str(part) for part in error["loc"] if not _is_union_tag(part)) or "definition"
            problems.setdefault(place, error["msg"].removeprefix("Value error, "))
        first = next(iter(problems.items()))
        raise ValidationFailed(f"The {what} is not valid: {first[0]}: {first[1]}.", extra=problems) from None


def _is_union_tag(part) -> bool:
    # pydantic names the union branch it tried ("Condition", "assign"); the admin only needs the position.
    return isinstance(part, str) and (part in ("condition", "group") or part in _ACTION_TYPES)


_ACTION_TYPES = {"assign", "set_team", "set_priority", "set_status", "set_tier", "escalate", "add_tags", "remove_tags",
                 "set_custom_field", "reply", "note", "notify", "webhook"}
