"""The dead letter over the API: jobs that gave up, and retrying them (admins)."""
from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from parley.accounts.permissions import require
from parley.api.schemas import ObjectId
from parley.core import jobs
from parley.core.models import Job
from parley.core.selectors import dead_jobs

router = Router(tags=["failed jobs"])


class FailedJobOut(Schema):
    id: int
    queue: str
    target: str
    attempts: int
    error: str
    dead_at: datetime


class RetriedJobOut(Schema):
    id: int
    queue: str
    due_at: datetime


@router.get("/jobs/failed", response=list[FailedJobOut])
def failed_job_list(request):
    """List the newest jobs that gave up after their retries (undeliverable replies, unprocessable payloads …)."""
    require(request.auth, "job.manage")
    return dead_jobs()


@router.post("/jobs/{job_id}/retry", response=RetriedJobOut)
def failed_job_retry(request, job_id: ObjectId):
    """Run a failed job again with a fresh set of attempts."""
    require(request.auth, "job.manage")
    get_object_or_404(Job, pk=job_id, dead_at__isnull=False)
    return jobs.job_retry(job_id=job_id, actor=request.auth)
