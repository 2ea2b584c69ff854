"""Settings → Bounces: bounces that matched no reply Parley sent, so admins see them instead of a log line."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from parley.channels.email.selectors import unmatched_bounces
from parley.workspace.views import allowed


@login_required
@require_GET
def bounce_list(request):
    allowed(request, "job.manage", gettext_lazy("Only admins see bounces."))
    return render(request, "workspace/bounces.html", {"bounces": unmatched_bounces(), "section": "bounces"})
