"""Inbox settings forms: the general fields, and a channel's settings generated from its configuration schema.

A field's type, choices, label (its title), help (its description) and whether it is required
come from the pydantic schema, so a new channel gets its settings screen without a template.
Secret fields are write-only: never filled in, marked "set — leave blank to keep", and a blank
one keeps the stored value (inbox_update's rule). Checking stays in the service: its problems,
named by path ("imap.host"), are put back on the fields they belong to.
"""
from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from parley.accounts.models import Team
from parley.channels.config import is_secret, section_schema

SEPARATOR = "__"
SECRET_SET = "set — leave blank to keep"


class InboxForm(forms.Form):
    """What every inbox has, whatever its channel."""

    name = forms.CharField(max_length=100)
    greeting = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Shown to customers where the channel has a greeting (chat, web form)."))
    default_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label=_("No team"))
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"),
                                   help_text=_("An inactive inbox receives nothing; its conversations stay."))


@dataclass(frozen=True)
class _Setting:
    path: tuple[str, ...]
    kind: str  # text, secret, secret json, number, choice, flag, lines, json
    section: str


def _unwrapped(annotation):
    """Return the annotation without its None (`int | None` → int)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _default(info: FieldInfo):
    if info.default is not PydanticUndefined:
        return info.default
    return info.default_factory() if info.default_factory else None


class ConfigForm(forms.Form):
    """A channel's settings as form fields, one per schema field, named by path ("imap__host")."""

    def __init__(self, schema: type[BaseModel], *, shown: dict | None = None, secrets_set: dict[str, bool] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.settings: dict[str, _Setting] = {}
        self.sections: list[tuple[str, list[str]]] = []
        self._add(schema, prefix=(), section="", required=True, shown=shown or {}, secrets_set=secrets_set or {})

    def _add(self, schema, *, prefix, section, required, shown, secrets_set) -> None:
        names: list[str] = []
        self.sections.append((section, names))
        for key, info in schema.model_fields.items():
            path = (*prefix, key)
            value = shown.get(key) if isinstance(shown, dict) else None
            if nested := section_schema(info.annotation):
                self._add(nested, prefix=path, section=info.title or key.replace("_", " ").capitalize(),
                          required=required and info.is_required(), shown=value or {}, secrets_set=secrets_set)
                continue
            name = SEPARATOR.join(path)
            field, kind = self._field(info, required=required and info.is_required(), is_set=secrets_set.get(".".join(path), False))
            field.label = info.title or key.replace("_", " ").capitalize()
            if not kind.startswith("secret") and value is not None:
                field.initial = "\n".join(value) if kind == "lines" else json.dumps(value) if kind == "json" else value
            self.fields[name] = field
            self.settings[name] = _Setting(path, kind, section)
            names.append(name)
        if not names:
            self.sections.remove((section, names))

    @staticmethod
    def _field(info: FieldInfo, *, required: bool, is_set: bool) -> tuple[forms.Field, str]:
        annotation = _unwrapped(info.annotation)
        default = _default(info)
        help_text = info.description or ""
        if is_secret(info):
            help_text = SECRET_SET if is_set else help_text
            if annotation is dict:
                return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                                       help_text=help_text), "secret json"
            return forms.CharField(required=required and not is_set, widget=forms.PasswordInput(render_value=False),
                                   help_text=help_text), "secret"
        if typing.get_origin(annotation) is typing.Literal:
            blank = f"— ({default})" if default is not None else "—"
            choices = [(str(value), str(value)) for value in typing.get_args(annotation)]
            return forms.ChoiceField(choices=[("", blank), *choices], required=required, help_text=help_text), "choice"
        if annotation is bool:
            return forms.BooleanField(required=False, initial=default, help_text=help_text), "flag"
        if annotation is int:
            return forms.IntegerField(required=required, help_text=help_text or (f"{default} when empty" if default is not None else "")), "number"
        if typing.get_origin(annotation) is list:
            return forms.CharField(required=required, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text or "one per line"), "lines"
        if annotation is dict:
            return forms.CharField(required=required, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text or "JSON"), "json"
        return forms.CharField(required=required, help_text=help_text), "text"

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Return (section title, bound fields) in schema order; the first section (title "") holds the top-level settings."""
        return [(title, [self[name] for name in names]) for title, names in self.sections]

    def config(self) -> dict:
        """Return the configuration the cleaned form describes, as changes for inbox_create / inbox_update.

        An emptied top-level setting is sent as None (removed: its default applies); a section
        with nothing filled in is removed; a blank secret is left out, which keeps it.
        """
        config: dict = {}
        filled_sections: set[str] = set()
        for name, setting in self.settings.items():
            value = self.cleaned_data.get(name)
            if setting.kind == "lines":
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif setting.kind.endswith("json"):
                value = self._json(name, value)
            empty = value in ("", None, [], {}) or (setting.kind == "flag" and not value and len(setting.path) > 1)
            if len(setting.path) > 1:
                config.setdefault(setting.path[0], {})
            secret = setting.kind.startswith("secret")
            if empty:
                if not secret and len(setting.path) == 1:
                    config[setting.path[0]] = None
                continue
            target = config
            for key in setting.path[:-1]:
                target = target.setdefault(key, {})
            target[setting.path[-1]] = value
            if len(setting.path) > 1 and not secret:
                filled_sections.add(setting.path[0])
        for key, value in config.items():
            if isinstance(value, dict) and key not in filled_sections:
                config[key] = None
        return config

    def _json(self, name: str, value: str):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            self.add_error(name, _("must be JSON"))
            return None

    def add_problems(self, problems: dict[str, str]) -> None:
        """Put a service's problems ({"imap.host": "required"}) on the fields they name; others on the form."""
        for path, problem in problems.items():
            parts = path.split(".")
            while parts and SEPARATOR.join(parts) not in self.fields:
                parts.pop()
            name = SEPARATOR.join(parts)
            self.add_error(name if name in self.fields else None, problem)
