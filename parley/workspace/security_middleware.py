"""Hold every signed-in agent to the security policy: the session lifetime, and two-factor when an admin requires it."""
import time

from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from parley.accounts.security import security_policy, two_factor_enabled

#: Where an agent who still has to add an authenticator may go: the page to add one, and the way out.
#: When this session signed in: the policy's lifetime counts from it.
SIGNED_IN_AT = "parley_signed_in_at"
OPEN_WHILE_ENROLLING = ("workspace:two-factor", "workspace:logout", "workspace:login", "workspace:login-code")


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: set[str] | None = None

    def __call__(self, request):
        # Only sessions of signed-in agents pay the policy's query; API tokens, webhooks and customers do not.
        if SESSION_KEY in request.session and request.user.is_authenticated:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request):
        policy = security_policy()
        signed_in_at = request.session.get(SIGNED_IN_AT) or (request.user.last_login and request.user.last_login.timestamp())
        if signed_in_at and time.time() - signed_in_at > policy.session_seconds:
            logout(request)
            return redirect_to_login(request.get_full_path())
        if not policy.requires_two_factor(request.user) or request.path_info in self.open_paths or request.path_info.startswith("/static/"):
            return None
        if two_factor_enabled(request.user):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"message": gettext("Your workspace requires two-factor sign-in: add an authenticator in your profile first."),
                                 "extra": {"two_factor": "required"}}, status=403)
        return redirect("workspace:two-factor")

    @property
    def open_paths(self) -> set[str]:
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_WHILE_ENROLLING}
        return self._open_paths
