"""The dead letter over the API: jobs that gave up, and retrying them (admins); and the audit log (admins)."""
from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from parley.accounts.permissions import require
from parley.api.pagination import paginate
from parley.api.schemas import ListQuery, ObjectId, Page
from parley.core import jobs
from parley.core.models import Job
from parley.core.selectors import AuditFilters, audit_entries, audit_rows, dead_jobs

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


class AuditQuery(ListQuery):
    actor_id: ObjectId | None = None
    action: str = Field("", max_length=64, description="An exact action, or a prefix ending in a dot (`agent.`)")
    target_type: str = Field("", max_length=64, description="The kind of record, e.g. `accounts.user`")
    since: date | None = None
    until: date | None = None


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor: str
    action: str
    target_type: str
    target_id: str
    target_name: str
    changes: dict


@router.get("/audit", response=Page[AuditEntryOut], tags=["audit log"])
def audit_list(request, query: Query[AuditQuery]):
    """List who changed what and when, newest first, filtered like the audit-log screen."""
    require(request.auth, "audit.view")
    filters = AuditFilters(actor_id=query.actor_id, action=query.action, target_type=query.target_type,
                           since=query.since, until=query.until)
    page = paginate(audit_entries(filters=filters), limit=query.limit, cursor=query.cursor)
    page["items"] = [
        {"id": row.entry.pk, "created_at": row.entry.created_at, "actor_id": row.entry.actor_id, "actor": row.actor,
         "action": row.entry.action, "target_type": row.entry.target_type, "target_id": row.entry.target_id,
         "target_name": row.target_name, "changes": row.entry.changes}
        for row in audit_rows(page["items"])]
    return page
