"""Signing in without a password yet: accepting an invitation, and resetting a forgotten password."""
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from parley.accounts.services import agent_set_password, invitation_tokens, password_reset_request
from parley.workspace.settings_forms import PasswordResetRequestForm


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link; the answer is the same whether or not the address is an agent's."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(email=form.cleaned_data["email"])
        return render(request, "workspace/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "workspace/password_reset.html", {"form": form}, status=422 if form.errors else 200)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page a reset link opens: the agent chooses a new password, saved through the accounts service."""

    template_name = "workspace/set_password.html"
    success_url = reverse_lazy("workspace:login")
    done_message = _("Your password was changed. Sign in with it.")
    extra_context = {"title": _("Choose a new password"), "button": _("Change password")}

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A deactivated agent's old link must not let them back in.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        agent_set_password(user=form.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, self.done_message)
        return redirect(self.success_url)


class AcceptInvitationView(SetPasswordView):
    """The page an invitation opens: the invitee chooses their first password."""

    token_generator = invitation_tokens
    done_message = _("Welcome! Your password is set. Sign in with your email and it.")
    extra_context = {"title": _("Welcome to Parley"), "button": _("Set my password"), "invitation": True}
