"""The words a team files conversations under, as admins and supervisors set them up in Settings:
tags, custom statuses (each mapped onto a built-in status category) and custom field definitions.

Archiving keeps what conversations already carry and stops offering it; order is a `position`.
"""
import re

from django.db import models, transaction
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.conversations.models import CustomField, CustomStatus, FieldKind, Status, Tag
from parley.core.errors import ValidationFailed
from parley.core.services import audit_record

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _audited_changes(thing: models.Model, values: dict, *, actor, action: str) -> dict:
    """Set the changed attributes of `thing`, save and audit them; return what changed."""
    changes = {field: [getattr(thing, field), value] for field, value in values.items() if getattr(thing, field) != value}
    if changes:
        for field, (_, value) in changes.items():
            setattr(thing, field, value)
        thing.save(update_fields=list(changes))
        audit_record(actor=actor, action=action, target=thing, changes=changes)
    return changes


def _tag_name(name: str) -> str:
    name = name.strip().lower()
    if not name or len(name) > 50:
        raise ValidationFailed(gettext("A tag needs a name of at most 50 characters."), extra={"name": "1 to 50 characters"})
    return name


@transaction.atomic
def tag_update(*, tag: Tag, actor, name: str, archived: bool) -> Tag:
    """Rename a tag (conversations carrying it show the new name) or archive it (it is suggested no more)."""
    require(actor, "tag.manage")
    name = _tag_name(name)
    if Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
        raise ValidationFailed(gettext("That tag exists."), extra={"name": "taken"})
    _audited_changes(tag, {"name": name, "archived": archived}, actor=actor, action="tag.updated")
    return tag


def _status_values(name: str, category: str) -> str:
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationFailed(gettext("A status needs a name of at most 60 characters."), extra={"name": "1 to 60 characters"})
    if category not in Status.values:
        raise ValidationFailed(gettext("Unknown status."), extra={"category": f"must be one of {', '.join(Status.values)}"})
    return name


@transaction.atomic
def custom_status_update(*, custom_status: CustomStatus, actor, name: str, category: str, archived: bool) -> CustomStatus:
    """Rename a custom status, map it onto another category, or archive it.

    Conversations already in it move to the new category with it, so lists stay true.
    """
    require(actor, "tag.manage")
    name = _status_values(name, category)
    if CustomStatus.objects.filter(name__iexact=name).exclude(pk=custom_status.pk).exists():
        raise ValidationFailed(gettext("A status with this name exists."), extra={"name": "taken"})
    changes = _audited_changes(custom_status, {"name": name, "category": category, "archived": archived}, actor=actor,
                               action="custom_status.updated")
    if "category" in changes:
        from parley.conversations.models import Conversation

        Conversation.objects.filter(custom_status=custom_status).update(status=category)
    return custom_status


def _move(thing: models.Model, *, step: int, actor, action: str) -> None:
    """Swap `thing` with its neighbour above (step -1) or below (step 1), numbering the whole list afresh."""
    ordered = list(type(thing).objects.all())
    index = next(i for i, other in enumerate(ordered) if other.pk == thing.pk)
    target = index + step
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered):
        if other.position != position:
            type(thing).objects.filter(pk=other.pk).update(position=position)
    audit_record(actor=actor, action=action, target=thing, changes={"position": [index, target]})


@transaction.atomic
def custom_status_move(*, custom_status: CustomStatus, actor, step: int) -> None:
    """Move a custom status one place up (-1) or down (1) in the status pickers."""
    require(actor, "tag.manage")
    _move(custom_status, step=step, actor=actor, action="custom_status.moved")


def _field_values(*, label: str, kind: str, choices: list[str]) -> tuple[str, list[str]]:
    label = label.strip()
    if not label or len(label) > 80:
        raise ValidationFailed(gettext("A field needs a label of at most 80 characters."), extra={"label": "1 to 80 characters"})
    if kind not in FieldKind.values:
        raise ValidationFailed(gettext("Unknown field type."), extra={"kind": f"must be one of {', '.join(FieldKind.values)}"})
    choices = list(dict.fromkeys(c.strip() for c in choices if c.strip()))
    if kind == FieldKind.CHOICE and not choices:
        raise ValidationFailed(gettext("A choice field needs at least one choice."), extra={"choices": "required for a choice field"})
    return label, choices if kind == FieldKind.CHOICE else []


@transaction.atomic
def custom_field_create(*, key: str, label: str, kind: str, choices: list[str], required_to_solve: bool,
                        actor) -> CustomField:
    """Define a conversation field; its values are kept in each conversation's custom_fields under `key`."""
    require(actor, "tag.manage")
    key = key.strip().lower()
    if not _KEY.match(key):
        raise ValidationFailed(gettext("A key is lower-case letters, digits and _, starting with a letter."), extra={"key": "invalid"})
    if CustomField.objects.filter(key=key).exists():
        raise ValidationFailed(gettext("A field with this key exists."), extra={"key": "taken"})
    label, choices = _field_values(label=label, kind=kind, choices=choices)
    position = (CustomField.objects.aggregate(last=models.Max("position"))["last"] or 0) + 1
    field = CustomField.objects.create(key=key, label=label, kind=kind, choices=choices,
                                       required_to_solve=required_to_solve, position=position)
    audit_record(actor=actor, action="custom_field.created", target=field, changes={"key": key, "kind": kind})
    return field


@transaction.atomic
def custom_field_update(*, field: CustomField, actor, label: str, choices: list[str], required_to_solve: bool,
                        archived: bool) -> CustomField:
    """Change a field's label, choices, whether solving needs it, or archive it (its key and type stay, values are kept)."""
    require(actor, "tag.manage")
    label, choices = _field_values(label=label, kind=field.kind, choices=choices)
    _audited_changes(field, {"label": label, "choices": choices, "required_to_solve": required_to_solve,
                             "archived": archived}, actor=actor, action="custom_field.updated")
    return field


@transaction.atomic
def custom_field_move(*, field: CustomField, actor, step: int) -> None:
    """Move a field one place up (-1) or down (1) in the conversation's details."""
    require(actor, "tag.manage")
    _move(field, step=step, actor=actor, action="custom_field.moved")


def custom_fields_missing_to_solve(conversation) -> list[CustomField]:
    """Return the active fields that must be filled in before `conversation` is solved and are empty."""
    values = conversation.custom_fields or {}
    return [field for field in CustomField.objects.filter(required_to_solve=True, archived=False)
            if values.get(field.key) in (None, "", [])]


def custom_field_value(field: CustomField, raw) -> object:
    """Check one submitted value against its definition and return it stored-ready ("" clears it)."""
    if raw in (None, ""):
        return ""
    if field.kind == FieldKind.NUMBER:
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValidationFailed(gettext("%(field)s must be a number.") % {"field": field.label},
                                   extra={field.key: "not a number"}) from None
        return int(number) if number.is_integer() else number
    if field.kind == FieldKind.CHECKBOX:
        return raw in (True, "on", "true", "1", 1)
    if field.kind == FieldKind.CHOICE and raw not in field.choices:
        raise ValidationFailed(gettext("%(field)s must be one of: %(choices)s.")
                               % {"field": field.label, "choices": ", ".join(field.choices)}, extra={field.key: "not a choice"})
    if field.kind == FieldKind.DATE and not re.match(r"^\d{4}-\d{2}-\d{2}$", str(raw)):
        raise ValidationFailed(gettext("%(field)s must be a date like 2026-01-31.") % {"field": field.label},
                               extra={field.key: "not a date"})
    return str(raw)
