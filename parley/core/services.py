from django.db import models

from parley.core.models import AuditEntry


def audit_record(*, actor, action: str, target: models.Model, changes: dict | None = None) -> AuditEntry:
    """Record that `actor` (None for the system) did `action` to `target`."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes or {},
    )
