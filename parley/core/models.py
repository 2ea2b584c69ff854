from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who changed what, when: one row per change a person or the system made."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


def surviving(record):
    """Return the record `record` was merged into, following a chain of merges (itself if never merged)."""
    while record.merged_into_id:
        record = record.merged_into
    return record
