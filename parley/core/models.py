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


class Job(models.Model):
    """Work to do on one row, in one queue: claimed by a worker with a lease, retried, dead-lettered (see core.jobs)."""

    queue = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    due_at = models.DateTimeField()
    #: A worker holds the job until then; past it, the job is free again (its worker died).
    claimed_until = models.DateTimeField(null=True, blank=True)
    #: "<host>:<pid>" of the claiming worker, so a restarted worker frees what a dead one on its host held.
    claimed_by = models.CharField(max_length=120, blank=True)
    #: Claims so far: counted when a worker takes the job, so a job that kills its worker still runs out.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    #: Set when the job gave up: it waits in the dead letter for an admin's retry.
    dead_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "target_id"], name="job_unique_per_target")]
        indexes = [models.Index(fields=["due_at"], condition=models.Q(dead_at__isnull=True), name="job_due_idx")]

    def __str__(self) -> str:
        return f"{self.queue} #{self.target_id}"


class Schedule(models.Model):
    """When a periodic job runs next; one worker wins each turn by a conditional update."""

    name = models.CharField(max_length=120, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """A domain event, written in the transaction of the change it describes (the transactional outbox)."""

    name = models.CharField(max_length=60, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"
