"""Saved views: an agent names the list's current filters and sort; the sidebar lists them with their counts."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from parley.core.errors import ApplicationError
from parley.desk.models import SavedView
from parley.desk.services import saved_view_create, saved_view_delete
from parley.workspace import forms
from parley.workspace.views import allowed


@login_required
@require_POST
def saved_view_save(request):
    """Save the list's current query under a name, for the agent or (admins, supervisors) for everyone."""
    allowed(request, "conversation.view")
    form = forms.SavedViewForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(forms.first_error(form), status=422)
        view = saved_view_create(owner=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"],
                                 shared=form.cleaned_data["shared"])
    except ApplicationError as exc:
        messages.error(request, gettext("The view was not saved: %(message)s") % {"message": exc.message})
        return redirect(f"/?{request.POST.get('query', '')}")
    done = gettext("The view “%(view)s” was saved and shared.") if view.shared else gettext("The view “%(view)s” was saved.")
    messages.success(request, done % {"view": view.name})
    return redirect(f"/?{view.query}&saved={view.pk}")


@login_required
@require_POST
def saved_view_remove(request, view_id: int):
    """Remove a saved view (its owner; a shared one also admins and supervisors)."""
    view = get_object_or_404(SavedView, pk=view_id)
    try:
        saved_view_delete(view=view, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"/?{view.query}&saved={view.pk}")
    messages.success(request, gettext("The view “%(name)s” was removed.") % {"name": view.name})
    return redirect("workspace:home")
