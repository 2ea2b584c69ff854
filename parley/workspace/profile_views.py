"""The agent's own profile: name, email signature and API tokens."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parley.accounts.models import ApiToken
from parley.accounts.security import two_factor_enabled
from parley.accounts.selectors import api_token_list
from parley.accounts.services import agent_update_profile, api_token_create, api_token_revoke
from parley.core.errors import ApplicationError
from parley.desk.selectors import notification_preferences
from parley.desk.services import notification_preferences_save
from parley.workspace import forms
from parley.workspace.settings_forms import NotificationPreferenceForm


def _render(request, *, profile_form=None, token_form=None, error: str = "", token_error: str = "", new_token=None,
            new_secret: str = "", status: int = 200):
    """Answer the whole profile page, or only the tokens card when htmx asked for it."""
    user = request.user
    context = {
        "profile_form": profile_form or forms.ProfileForm(initial={"name": user.name, "signature": user.signature,
                                                                          "language": user.language}),
        "token_form": token_form or forms.ApiTokenForm(), "tokens": api_token_list(user=user),
        "notification_form": NotificationPreferenceForm(instance=notification_preferences(agent=user)),
        "two_factor_on": two_factor_enabled(user),
        "error": error, "token_error": token_error, "new_token": new_token, "new_secret": new_secret, "section": "profile",
    }
    template = "workspace/_api_tokens.html" if request.htmx else "workspace/profile.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Show the agent's own profile; a POST saves their name and signature."""
    if request.method == "GET":
        return _render(request)
    form = forms.ProfileForm(request.POST)
    if not form.is_valid():
        return _render(request, profile_form=form, error=forms.first_error(form), status=422)
    try:
        agent_update_profile(user=request.user, name=form.cleaned_data["name"], signature=form.cleaned_data["signature"],
                             language=form.cleaned_data["language"])
    except ApplicationError as exc:
        return _render(request, profile_form=form, error=exc.message, status=exc.status)
    # The confirmation is read on the next page, which is already in the language just chosen.
    with translation.override(request.user.language or translation.get_language()):
        messages.success(request, gettext("Your profile was saved."))
    return redirect("workspace:profile")


@never_cache
@login_required
@require_POST
def token_create(request):
    """Create an API token for the agent and show its secret, this once only (it is never stored)."""
    form = forms.ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render(request, token_form=form, token_error=forms.first_error(form), status=422)
    token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
    return _render(request, new_token=token, new_secret=secret, status=201)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    """Revoke one of the agent's own tokens (confirmed in the page first); requests carrying it are refused from now on."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if token.revoked_at is None:
        api_token_revoke(token=token, actor=request.user)
    if request.htmx:
        return _render(request)
    messages.success(request, gettext("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("workspace:profile")


@login_required
@require_POST
def notification_preferences_update(request):
    """Save what the agent wants to be told about, and whether by browser notification and sound."""
    form = NotificationPreferenceForm(request.POST)
    form.is_valid()  # checkboxes only: every submission is valid
    notification_preferences_save(agent=request.user, **form.cleaned_data)
    messages.success(request, gettext("Your notification settings were saved."))
    return redirect("workspace:profile")

