"""Typed inbox configuration: each adapter's pydantic schema validates it, marks its secrets, and drives the settings form.

An adapter sets `config_schema` to a `ChannelConfig` subclass. Fields declared with
`secret()` hold credentials: they are encrypted before they are stored (see secrets.py),
shown back only as `MASK` with a "set" flag, and an update that leaves one out (or sends the
mask, or a blank) keeps the stored value. `Inbox.config` holds the stored form; read it with
`config_plain(inbox)`, never directly, so encrypted values come back as they were given.
"""
from __future__ import annotations

import copy
import types
import typing
from typing import Annotated, Any

from django.utils.translation import gettext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from parley.channels import secrets
from parley.core.errors import ValidationFailed

#: What API output, the admin and the audit log show instead of a stored secret.
MASK = "••••"
_MISSING = object()


def secret(default: Any = "", **kwargs) -> Any:
    """Declare a configuration field that holds a credential (encrypted at rest, never shown back)."""
    if "default_factory" in kwargs:
        return Field(json_schema_extra={"secret": True, "writeOnly": True}, **kwargs)
    return Field(default, json_schema_extra={"secret": True, "writeOnly": True}, **kwargs)


def _whole_number(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


#: A count or a number of days: an int of 0 or more, never a bool or a string.
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class ChannelConfig(BaseModel):
    """Base of every adapter's configuration schema; unknown keys are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")

    def problems(self) -> dict[str, str]:
        """Return field path -> problem for rules that span fields (run once every field is valid on its own)."""
        return {}


def section_schema(annotation) -> type[BaseModel] | None:
    """Return the model of a nested section (`ImapConfig | None` → ImapConfig), or None for a plain field."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def is_secret(field) -> bool:
    extra = field.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("secret"))


def secret_paths(schema: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the path of every secret field of a schema, nested sections included."""
    paths = []
    for name, field in schema.model_fields.items():
        if is_secret(field):
            paths.append((*prefix, name))
        elif section := section_schema(field.annotation):
            paths.extend(secret_paths(section, (*prefix, name)))
    return paths


def _get(data: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _parent(data: dict, path: tuple[str, ...]) -> dict | None:
    parent = _get(data, path[:-1]) if len(path) > 1 else data
    return parent if isinstance(parent, dict) else None


def _problem(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "literal_error":
        return "must be one of " + ctx["expected"].replace("'", "").replace(" or ", ", ")
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind.startswith("int_"):
        return "must be a whole number"
    if kind.startswith("bool_"):
        return "must be true or false"
    if kind == "string_type":
        return "must be text"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be an object"
    if kind == "list_type":
        return "must be a list"
    return error["msg"]


def config_validate(*, schema: type[ChannelConfig], config: dict) -> dict:
    """Return a plain configuration as checked by `schema`; raise ValidationFailed naming each problem by its path."""
    if not isinstance(config, dict):
        raise ValidationFailed(gettext("The inbox configuration is not valid."), extra={"config": "must be an object"})
    try:
        model = schema.model_validate(config)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            problems.setdefault(".".join(str(part) for part in error["loc"]) or "config", _problem(error))
        raise ValidationFailed(gettext("The inbox configuration is not valid."), extra=problems) from None
    if problems := model.problems():
        raise ValidationFailed(gettext("The inbox configuration is not valid."), extra=problems)
    return model.model_dump(mode="json", exclude_unset=True)


def config_merge(*, schema: type[ChannelConfig], stored: dict, changes: dict) -> dict:
    """Return the plain configuration after `changes`: top-level keys replaced, a None value removing its key.

    A secret left out of a section that is still there, or sent as the mask or blank, keeps its
    stored value; a secret sent as None is removed. `stored` is plain (see config_plain).
    """
    merged = {key: value for key, value in {**stored, **copy.deepcopy(changes)}.items() if value is not None}
    for path in secret_paths(schema):
        parent = _parent(merged, path)
        if path[0] not in changes or parent is None:
            continue
        sent = _get(changes, path)
        if sent is None:
            parent.pop(path[-1], None)
        elif sent is _MISSING or sent == "" or sent == MASK:
            kept = _get(stored, path)
            if kept is _MISSING or kept in ("", None):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = kept
    return merged


def config_sealed(*, schema: type[ChannelConfig], config: dict) -> dict:
    """Return the stored form of a plain configuration: every set secret encrypted."""
    sealed = copy.deepcopy(config)
    for path in secret_paths(schema):
        parent = _parent(sealed, path)
        if parent is not None and parent.get(path[-1]) not in (None, "", {}):
            parent[path[-1]] = secrets.encrypt(parent[path[-1]])
    return sealed


def _opened(value):
    if isinstance(value, dict):
        return {key: _opened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_opened(item) for item in value]
    return secrets.decrypt(value)


def config_plain(inbox) -> dict:
    """Return an inbox's configuration with its secrets decrypted (for the code that uses them, never for display)."""
    return _opened(inbox.config or {})


def _masked(value):
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return MASK if secrets.is_encrypted(value) else value


def config_masked(inbox) -> tuple[dict, dict[str, bool]]:
    """Return (configuration with each secret shown as MASK, secret path -> whether it is set) for display.

    Every encrypted value is masked even without the schema (a channel no longer installed),
    and a schema's secret fields are masked even when stored in plaintext (before encryption).
    """
    masked = _masked(inbox.config or {})
    try:
        paths = secret_paths(inbox.adapter.config_schema)
    except LookupError:
        paths = []
    flags = {}
    for path in paths:
        parent = _parent(masked, path)
        is_set = parent is not None and parent.get(path[-1]) not in (None, "", {})
        flags[".".join(path)] = is_set
        if parent is not None and path[-1] in parent:
            parent[path[-1]] = MASK if is_set else ""
    return masked, flags


def config_changes(*, schema: type[ChannelConfig], before: dict, after: dict) -> dict:
    """Return path -> [old, new] of what changed between two plain configurations, secrets as MASK (for the audit log)."""
    secret = {".".join(path) for path in secret_paths(schema)}

    def flat(data: dict, prefix: str = "") -> dict:
        items = {}
        for key, value in data.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and path not in secret:
                items.update(flat(value, f"{path}."))
            else:
                items[path] = value
        return items

    old, new = flat(before), flat(after)
    changes = {}
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) != new.get(path):
            shown = [MASK if path in secret and value not in (None, "") else value for value in (old.get(path), new.get(path))]
            changes[path] = shown
    return changes


def config_reencrypted(config: dict) -> dict:
    """Return a stored configuration with every encrypted value re-encrypted under the first key."""
    if isinstance(config, dict):
        return {key: config_reencrypted(value) for key, value in config.items()}
    if isinstance(config, list):
        return [config_reencrypted(value) for value in config]
    return secrets.reencrypt(config) if secrets.is_encrypted(config) else config
