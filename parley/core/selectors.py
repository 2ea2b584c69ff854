"""Reads of the core app: the jobs that gave up, for the admins' failed-jobs screen."""
from dataclasses import dataclass
from datetime import datetime

from parley.core import jobs
from parley.core.models import Job


@dataclass(frozen=True)
class DeadJob:
    id: int
    queue: str
    target: str
    url: str
    attempts: int
    error: str
    dead_at: datetime


def dead_jobs(*, limit: int = 200) -> list[DeadJob]:
    """Return the newest jobs in the dead letter, each described by its queue's handler."""
    found = []
    for job in Job.objects.filter(dead_at__isnull=False).order_by("-dead_at", "-id")[:limit]:
        try:
            describe = jobs.handler_for(job.queue).describe
        except LookupError:
            describe = None
        target, url = describe(job.target_id) if describe else (f"{job.queue} #{job.target_id}", "")
        found.append(DeadJob(job.pk, job.queue, target, url, job.attempts, job.last_error, job.dead_at))
    return found


def dead_job_count() -> int:
    return Job.objects.filter(dead_at__isnull=False).count()
