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

from django.utils.translation import gettext_lazy as _
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
    "conversation.status": FieldSpec(_("Status"), CHOICE_OPS, tuple(Status.values)),
    "conversation.priority": FieldSpec(_("Priority"), CHOICE_OPS, tuple(Priority.values)),
    "conversation.type": FieldSpec(_("Type"), CHOICE_OPS, tuple(ConversationType.values)),
    "conversation.tier": FieldSpec(_("Tier"), NUMBER_OPS),
    "conversation.subject": FieldSpec(_("Subject"), TEXT_OPS),
    "conversation.channel": FieldSpec(_("Channel kind (email, webform, api …)"), TEXT_OPS),
    "conversation.inbox": FieldSpec(_("Inbox name"), TEXT_OPS),
    "conversation.team": FieldSpec(_("Team name"), TEXT_OPS),
    "conversation.assignee": FieldSpec(_("Assignee's email"), TEXT_OPS),
    "conversation.tags": FieldSpec(_("Tags"), LIST_OPS),
    "conversation.answered": FieldSpec(_("An agent has replied (true or false)"), ("is",), (True, False)),
    "contact.name": FieldSpec(_("Customer's name"), TEXT_OPS),
    "contact.email": FieldSpec(_("Customer's email"), TEXT_OPS),
    "contact.phone": FieldSpec(_("Customer's phone"), TEXT_OPS),
    "contact.organization": FieldSpec(_("Customer's organization"), TEXT_OPS),
    "contact.segments": FieldSpec(_("Customer's segments"), LIST_OPS),
    "message.text": FieldSpec(_("Text of the message the event is about"), TEXT_OPS),
    "event.changed": FieldSpec(_("Fields the event changed (conversation.updated)"), LIST_OPS),
}
#: Open-ended fields: any key after the prefix.
FIELD_PREFIXES = {
    "conversation.custom_fields.": _("Custom field"),
    "contact.attributes.": _("Customer attribute"),
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


#: What is said when a definition is refused, per kind: (not an object, not valid).
REFUSALS = {
    "rule": (_("The rule must be a JSON object."), _("The rule is not valid: %(place)s: %(problem)s.")),
    "macro": (_("The macro must be a JSON object."), _("The macro is not valid: %(place)s: %(problem)s.")),
}


def parse(schema: type[Strict], data: Any, *, what: str) -> Strict:
    """Return `data` validated as `schema` (`what`: a key of REFUSALS), or raise ValidationFailed naming every problem
    by its place."""
    not_an_object, not_valid = REFUSALS[what]
    if not isinstance(data, dict):
        raise ValidationFailed(str(not_an_object), extra={"definition": "must be an object"})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = {}
        for error in exc.errors():
            place = ".".join(str(part) for part in error["loc"] if not _is_union_tag(part)) or "definition"
            problems.setdefault(place, error["msg"].removeprefix("Value error, "))
        first = next(iter(problems.items()))
        raise ValidationFailed(not_valid % {"place": first[0], "problem": first[1]}, extra=problems) from None


def _is_union_tag(part) -> bool:
    # pydantic names the union branch it tried ("Condition", "assign"); the admin only needs the position.
    return isinstance(part, str) and (part in ("condition", "group") or part in _ACTION_TYPES)


_ACTION_TYPES = {"assign", "set_team", "set_priority", "set_status", "set_tier", "escalate", "add_tags", "remove_tags",
                 "set_custom_field", "reply", "note", "notify", "webhook"}


# --- the rule builder's vocabulary -------------------------------------------------------------------

OP_LABELS = {"is": _("is"), "is_not": _("is not"), "contains": _("contains"), "not_contains": _("does not contain"),
             "in": _("is one of"), "not_in": _("is none of"), "gt": _("is more than"), "gte": _("is at least"),
             "lt": _("is less than"), "lte": _("is at most"), "is_set": _("is set"), "is_not_set": _("is not set")}
ACTION_LABELS = {"assign": _("Assign to an agent"), "set_team": _("Set the team"), "set_priority": _("Set the priority"),
                 "set_status": _("Set the status"), "set_tier": _("Raise the tier to"), "escalate": _("Escalate one tier"),
                 "add_tags": _("Add tags"), "remove_tags": _("Remove tags"), "set_custom_field": _("Set a custom field"),
                 "reply": _("Reply to the customer"), "note": _("Add an internal note"), "notify": _("Notify agents"),
                 "webhook": _("Call a webhook")}
#: Action parameters that name rows; the builder offers the names listed under this key (see selectors.rule_builder_vocabulary).
NAMED_PARAMETERS = {"agent": "agents", "team": "teams", "canned": "canned_responses", "webhook": "webhooks", "agents": "recipients"}
PARAMETER_LABELS = {"canned": _("Canned response"), "agents": _("Who"), "key": _("Custom field")}
SINCE_LABELS = {"created": _("it was created"), "last_message": _("its last message"), "last_inbound": _("the customer's last message"),
                "solved": _("it was solved")}


#: The builder's own words; the page hands them to rule_builder.js in the agent's language.
BUILDER_WORDS = {
    "notRule": _("The JSON below is not a rule object."),
    "nested": _("This rule nests condition groups: edit it in the JSON view below."),
    "unknownField": _("The field {field} is not known: fix it in the JSON view below."),
    "unknownAction": _("The action {action} is not known: fix it in the JSON view below."),
    "unparsable": _("The JSON below does not parse: fix it there first."),
    "showAgain": _("Show in the builder again"),
    "whenEvents": _("When any of these happens"),
    "hours": _("Hours"), "since": _("Since"), "whenElapsed": _("When this long has passed"),
    "hoursSince": _(" hours since "),
    "match": _("Match"), "allHold": _("all of these hold"), "anyHolds": _("any of these holds"),
    "if": _("If"), "actWhen": _("Act when "), "noConditions": _("No conditions: the rule acts on every event."),
    "addCondition": _("Add a condition"), "field": _("Field"), "key": _("Key"), "keyPlaceholder": _("key"),
    "operator": _("Operator"), "value": _("Value"), "remove": _("Remove"), "manyValues": _("one, two, three"),
    "then": _("Then"), "newAction": _("New action"), "addAction": _("Add an action"),
    "nobody": _("— nobody / none —"), "choose": _("— choose —"), "listValues": _("one, two"),
}


def builder_words() -> dict[str, str]:
    """Return the builder's words in the active language."""
    return {key: str(text) for key, text in BUILDER_WORDS.items()}


def action_models() -> list[type[Strict]]:
    return list(typing.get_args(typing.get_args(Action)[0]))


def action_type(model: type[Strict]) -> str:
    return typing.get_args(model.model_fields["type"].annotation)[0]


def action_parameters(model: type[Strict]) -> list[dict]:
    """Describe an action's parameters from its own schema, so the builder's form cannot drift from what is validated.

    `empty` says what an empty input means: the parameter is left out ("omit"), is null ("null"),
    or must be filled in ("required").
    """
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    described = []
    for name, prop in schema["properties"].items():
        if name == "type":
            continue
        options = prop.get("anyOf", [prop])
        nullable = any(option.get("type") == "null" for option in options)
        is_list = any(option.get("type") == "array" for option in options)
        parameter = {"name": name, "label": str(PARAMETER_LABELS.get(name, prop.get("title", name))),
                     "empty": "omit" if name not in required else "null" if nullable else "required"}
        if name in NAMED_PARAMETERS:
            parameter.update(kind="multi" if is_list else "choice", names=NAMED_PARAMETERS[name])
        elif "enum" in prop:
            parameter.update(kind="choice", choices=prop["enum"])
        elif is_list:
            parameter.update(kind="list")
        elif prop.get("type") == "integer":
            parameter.update(kind="number", min=prop.get("minimum"), max=prop.get("maximum"))
        else:
            parameter.update(kind="longtext" if name == "text" else "text")
        described.append(parameter)
    return described


def builder_vocabulary() -> dict:
    """Return what rules may say (events, fields with their operators and choices, actions with their parameters)."""
    return {
        "events": conversation_events(),
        "since": [{"value": value, "label": str(label)} for value, label in SINCE_LABELS.items()],
        "ops": {op: str(label) for op, label in OP_LABELS.items()},
        "fields": [{"name": name, "label": str(spec.label), "ops": list(spec.ops), "choices": list(spec.choices)}
                   for name, spec in FIELDS.items()],
        "prefixes": [{"prefix": prefix, "label": str(label), "ops": list(ANY_OPS)} for prefix, label in FIELD_PREFIXES.items()],
        "actions": [{"type": action_type(model), "label": str(ACTION_LABELS[action_type(model)]), "parameters": action_parameters(model)}
                    for model in action_models()],
    }
