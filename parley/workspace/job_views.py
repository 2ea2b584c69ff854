"""Settings → Failed jobs: what gave up after its retries (a reply, an inbound payload, a subscriber), and a retry button."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parley.core import jobs
from parley.core.models import Job
from parley.core.selectors import dead_jobs
from parley.workspace.views import allowed


@login_required
@require_GET
def failed_job_list(request):
    allowed(request, "job.manage", gettext_lazy("Only admins see failed jobs."))
    return render(request, "workspace/failed_jobs.html", {"jobs": dead_jobs(), "section": "failed-jobs"})


@login_required
@require_POST
def failed_job_retry(request, job_id: int):
    allowed(request, "job.manage", gettext_lazy("Only admins retry failed jobs."))
    if not Job.objects.filter(pk=job_id, dead_at__isnull=False).exists():
        messages.info(request, gettext("That job is no longer failed."))
    else:
        jobs.job_retry(job_id=job_id, actor=request.user)
        messages.success(request, gettext("Queued again: it runs in a moment."))
    return redirect("workspace:failed-jobs")
