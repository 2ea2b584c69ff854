"""Bulk actions from the conversation list: start one, follow its progress, read its summary, undo it."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from parley.core.errors import ApplicationError
from parley.core.i18n import shown_text
from parley.desk.models import BulkAction
from parley.desk.services import bulk_action_start, bulk_action_undo
from parley.workspace import forms
from parley.workspace.views import allowed

#: The failures the summary lists one by one; more are counted.
FAILURES_SHOWN = 50


def _to(request, bulk: BulkAction):
    url = reverse("workspace:bulk", args=[bulk.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def bulk_start(request):
    """Start a bulk action on the selected conversations, or on all the list's filters match."""
    allowed(request, "conversation.update")
    form = forms.BulkForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(forms.first_error(form), status=422)
        bulk = bulk_action_start(agent=request.user, action=form.cleaned_data["action"], value=form.value(),
                                 conversation_ids=form.conversation_ids(request.user))
    except ApplicationError as exc:
        return render(request, "workspace/problem.html", {"error": exc.message, "back": reverse("workspace:home")},
                      status=exc.status)
    return _to(request, bulk)


@login_required
@require_GET
def bulk_detail(request, bulk_id: int):
    """Show a bulk action's progress (the page asks again every second until it is done) and then its summary."""
    bulk = get_object_or_404(BulkAction.objects.select_related("undo_of"), pk=bulk_id, agent=request.user)
    failures = [(int(pk), shown_text(reason)) for pk, reason in list(bulk.failures.items())[:FAILURES_SHOWN]]
    context = {"bulk": bulk, "failures": failures, "changed": bulk.done - len(bulk.failures),
               "percent": bulk.done * 100 // max(bulk.total, 1), "more_failures": max(len(bulk.failures) - FAILURES_SHOWN, 0),
               "undone_by": getattr(bulk, "undone_by", None)}
    template = "workspace/_bulk_progress.html" if request.htmx else "workspace/bulk.html"
    return render(request, template, context)


@login_required
@require_POST
def bulk_undo(request, bulk_id: int):
    """Put every conversation a bulk action changed back as it was."""
    bulk = get_object_or_404(BulkAction, pk=bulk_id, agent=request.user)
    try:
        undo = bulk_action_undo(bulk=bulk, agent=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:bulk", bulk.pk)
    return _to(request, undo)
