"""Who acts: a person, or the system, the bot, an automation rule or an API integration.

Services take `actor=` as either a User (a person, whose permissions are checked) or an
`Actor` of another kind (configured by an admin, so it is trusted to do what it was set up
for). The timeline and the audit log name non-person actors ("rule 'VIP to tier 2'", "the bot").
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    PERSON = "person", _("Person")
    SYSTEM = "system", _("System")
    BOT = "bot", _("Bot")
    RULE = "rule", _("Automation rule")
    INTEGRATION = "integration", _("API integration")


@dataclass(frozen=True)
class Actor:
    """A non-person actor; `name` is the rule's or integration's name."""

    kind: str
    name: str = ""

    def __post_init__(self):
        if self.kind not in ActorKind.values or self.kind == ActorKind.PERSON:
            raise ValueError(f"an Actor is a system, bot, rule or integration, not {self.kind!r}")

    def __str__(self) -> str:
        if self.kind == ActorKind.RULE:
            return f"rule '{self.name}'"
        if self.kind == ActorKind.INTEGRATION:
            return f"integration '{self.name}'" if self.name else "an API integration"
        if self.kind == ActorKind.BOT:
            return self.name or "the bot"
        return "the system"

    pk = None
    is_authenticated = False


SYSTEM = Actor(ActorKind.SYSTEM)


def rule(name: str) -> Actor:
    return Actor(ActorKind.RULE, name)


def bot(name: str = "") -> Actor:
    return Actor(ActorKind.BOT, name)


def describe(actor) -> dict:
    """Return {"kind", "id", "label"} for an event payload: who did it, for any kind of actor."""
    if actor is None:
        actor = SYSTEM
    if isinstance(actor, Actor):
        return {"kind": actor.kind, "id": None, "label": str(actor)}
    return {"kind": ActorKind.PERSON.value, "id": actor.pk, "label": str(actor)}


def is_person(actor) -> bool:
    return actor is not None and not isinstance(actor, Actor)
