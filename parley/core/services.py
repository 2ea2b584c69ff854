from django.db import models

from parley.core.actors import is_person
from parley.core.models import AuditEntry


def audit_record(*, actor, action: str, target: models.Model, changes: dict | None = None) -> AuditEntry:
    """Record that `actor` (a person; None for the system; or a core.actors.Actor) did `action` to `target`."""
    entry = audit_entry(actor=actor, action=action, target=target, changes=changes)
    entry.save()
    return entry


def audit_entry(*, actor, action: str, target: models.Model, changes: dict | None = None) -> AuditEntry:
    """Return the audit entry audit_record would store, unsaved, for services that store many at once."""
    changes = dict(changes or {})
    if actor is not None and not is_person(actor):
        # Not a person: name the rule, the bot or the integration, so the log says who.
        changes["by"] = str(actor)
    return AuditEntry(
        actor=actor if is_person(actor) and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes,
    )
