"""Signing in with a second factor or single sign-on, the agent's own two-factor and sessions, Settings → Security
(single sign-on included) and the audit log."""
import csv
import time
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth import login as auth_login, update_session_auth_hash, views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from webauthn import base64url_to_bytes
from webauthn.helpers import bytes_to_base64url

from parley.accounts import services as accounts_services
from parley.accounts.models import User
from parley.accounts.security import (
    authenticator_app_enabled, recovery_codes_left, recovery_codes_regenerate, security_key_authentication_options,
    security_key_register, security_key_registration_options, security_key_remove, security_key_verify, security_keys,
    security_policy, security_policy_update, sessions_end_everywhere, two_factor_begin, two_factor_confirm,
    two_factor_disable, two_factor_enabled, two_factor_pending_secret, two_factor_qr_svg, two_factor_setup_uri,
    two_factor_verify,
)
from parley.accounts.sso import WorkspaceOidcSettings, sso_config, sso_config_update
from parley.core.errors import ApplicationError, ValidationFailed
from parley.core.selectors import AuditFilters, audit_entries, audit_rows, audit_target_types
from parley.ratelimit.services import RateLimited, signin_failure_count, signin_guard
from parley.workspace import forms
from parley.workspace.security_middleware import SIGNED_IN_AT
from parley.workspace.settings_forms import AuditFilterForm, SecurityPolicyForm, SingleSignOnForm, TwoFactorCodeForm
from parley.workspace.submit import form_submitted
from parley.workspace.views import allowed

#: Session keys: the agent whose password was right and who still owes a code, and since when.
PENDING_USER, PENDING_SINCE, PENDING_NEXT = "parley_2fa_user", "parley_2fa_since", "parley_2fa_next"
PENDING_SECONDS = 300
#: Session keys: the challenge of the security key request the page made, taken once by the answer.
KEY_SIGN_IN_CHALLENGE, KEY_REGISTRATION_CHALLENGE = "parley_webauthn_sign_in", "parley_webauthn_registration"
AUDIT_PAGE_SIZE = 50


def sign_in(request, user: User) -> None:
    """Start the agent's session, lasting as long as the security policy says."""
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_AT] = time.time()
    request.session.set_expiry(security_policy().session_seconds)
    accounts_services.agent_signed_in(user=user)


def first_factor_passed(request, user: User, *, next_url: str):
    """Sign in an agent whose password (or single sign-on) was right, or first ask for their two-factor code."""
    if not two_factor_enabled(user):
        sign_in(request, user)
        return redirect(next_url)
    request.session[PENDING_USER], request.session[PENDING_SINCE] = user.pk, time.time()
    request.session[PENDING_NEXT] = next_url
    return redirect("workspace:login-code")


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        sso = sso_config()
        return super().get_context_data(**kwargs, sso_name=sso.provider_name if sso.enabled else "",
                                        sso_failed=self.request.GET.get("sso") == "failed")

    def post(self, request, *args, **kwargs):
        account = request.POST.get("username", "")
        try:
            signin_guard(request, account=account)
        except RateLimited as exc:
            # The password is not even checked: an unbound form, with why.
            form = self.authentication_form(request, initial={"username": account})
            response = self.render_to_response(self.get_context_data(form=form, refusal=exc.message), status=exc.status)
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        return first_factor_passed(self.request, form.get_user(), next_url=self.get_success_url())

    def form_invalid(self, form):
        signin_failure_count(self.request, account=self.request.POST.get("username", ""))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "workspace:login"

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            accounts_services.agent_signed_out(user=request.user)
        return super().post(request, *args, **kwargs)


class SsoStartView(WorkspaceOidcSettings, OIDCAuthenticationRequestView):
    """Send the agent to the identity provider (404 while single sign-on is off)."""

    def get(self, request):
        if not self.sso.enabled:
            raise Http404("Single sign-on is not configured.")
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: the agent it vouches for signs in as with a password, two-factor code included."""

    def login_success(self):
        return first_factor_passed(self.request, self.user, next_url=self.success_url)


def _pending_user(request) -> User | None:
    since = request.session.get(PENDING_SINCE, 0)
    if time.time() - since > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=request.session.get(PENDING_USER), is_active=True).first()


def _challenge_issued(request, key: str, options_and_challenge: tuple[dict, bytes]) -> dict:
    """Keep the challenge of security key options in the session and return the options for the page."""
    options, challenge = options_and_challenge
    request.session[key] = bytes_to_base64url(challenge)
    return options


def _challenge_taken(request, key: str) -> bytes | None:
    """Remove and return the session's challenge: a key's answer is checked against it once, right or wrong."""
    challenge = request.session.pop(key, None)
    return base64url_to_bytes(challenge) if challenge else None


def _code_page(request, user: User, *, error: str = "", status: int = 200):
    context = {"form": TwoFactorCodeForm(), "error": error, "authenticator_app": authenticator_app_enabled(user)}
    if security_keys(user):
        context["key_options"] = _challenge_issued(request, KEY_SIGN_IN_CHALLENGE, security_key_authentication_options(user=user))
    return render(request, "workspace/login_code.html", context, status=status)


def _pending_user_or_start_again(request) -> User | None:
    user = _pending_user(request)
    if user is None:
        messages.error(request, gettext("Sign in again: the code must follow the password within five minutes."))
    return user


def _rate_limited(request, user: User):
    """Return the code page refusing a second factor for the rate limit, or None while attempts are left."""
    try:
        signin_guard(request, account=user.email)
    except RateLimited as exc:
        response = _code_page(request, user, error=exc.message, status=exc.status)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return None


def _second_factor_passed(request, user: User):
    next_url = request.session.get(PENDING_NEXT, "")
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
        request.session.pop(key, None)
    sign_in(request, user)
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("workspace:home")
    return redirect(next_url)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Ask an agent whose password was right for the code from their authenticator (or a recovery code), or their key."""
    user = _pending_user_or_start_again(request)
    if user is None:
        return redirect("workspace:login")
    if request.method == "GET":
        return _code_page(request, user)
    form = TwoFactorCodeForm(request.POST)
    refusal = _rate_limited(request, user)
    if refusal is not None:
        return refusal
    if not (form.is_valid() and two_factor_verify(user=user, code=form.cleaned_data["code"])):
        signin_failure_count(request, account=user.email)
        return _code_page(request, user, error=gettext("That code is not right. Type the code your app shows now, "
                                                       "or one of your recovery codes."), status=422)
    return _second_factor_passed(request, user)


@never_cache
@require_POST
def login_security_key(request):
    """Sign in an agent whose password was right with the answer of one of their security keys (POST `credential`)."""
    user = _pending_user_or_start_again(request)
    if user is None:
        return redirect("workspace:login")
    refusal = _rate_limited(request, user)
    if refusal is not None:
        return refusal
    try:
        security_key_verify(user=user, credential=request.POST.get("credential", ""),
                            challenge=_challenge_taken(request, KEY_SIGN_IN_CHALLENGE))
    except ApplicationError as exc:
        signin_failure_count(request, account=user.email)
        return _code_page(request, user, error=exc.message, status=exc.status)
    return _second_factor_passed(request, user)


def _two_factor_page(request, *, form=None, error: str = "", recovery_codes=None, status: int = 200):
    user = request.user
    context = {"enabled": two_factor_enabled(user), "authenticator_app": authenticator_app_enabled(user),
               "required": security_policy().requires_two_factor(user), "keys": security_keys(user),
               "key_options": _challenge_issued(request, KEY_REGISTRATION_CHALLENGE, security_key_registration_options(user=user)),
               "form": form or TwoFactorCodeForm(), "error": error, "recovery_codes": recovery_codes, "section": "profile"}
    secret = None if context["authenticator_app"] else two_factor_pending_secret(user)
    if secret:
        context.update(secret=secret, qr=two_factor_qr_svg(two_factor_setup_uri(user=user, secret=secret)))
    if context["enabled"]:
        context["codes_left"] = recovery_codes_left(user)
    return render(request, "workspace/two_factor.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Show the agent's two-factor state; POST `step` = begin, confirm, recovery-codes, disable, key-add or key-remove."""
    if request.method == "GET":
        return _two_factor_page(request)
    step = request.POST.get("step", "")
    form = TwoFactorCodeForm(request.POST)
    try:
        if step == "key-add":
            key, codes = security_key_register(user=request.user, name=request.POST.get("name", ""),
                                               credential=request.POST.get("credential", ""),
                                               challenge=_challenge_taken(request, KEY_REGISTRATION_CHALLENGE))
            messages.success(request, gettext("The security key “%(name)s” was added.") % {"name": key.name})
            return _two_factor_page(request, recovery_codes=codes) if codes else redirect("workspace:two-factor")
        if step == "key-remove":
            security_key_remove(user=request.user, key_id=_key_id(request.POST.get("key", "")))
            messages.success(request, gettext("The security key was removed."))
            return redirect("workspace:two-factor")
        if step == "begin":
            two_factor_begin(user=request.user)
            return _two_factor_page(request)
        if step == "recovery-codes":
            return _two_factor_page(request, recovery_codes=recovery_codes_regenerate(user=request.user))
        if not form.is_valid():
            return _two_factor_page(request, form=form, error=gettext("Type the code your authenticator app shows."), status=422)
        if step == "confirm":
            codes = two_factor_confirm(user=request.user, code=form.cleaned_data["code"])
            return _two_factor_page(request, recovery_codes=codes)
        if step == "disable":
            # A code, not only the open session: someone at an unlocked screen cannot turn it off.
            if not two_factor_verify(user=request.user, code=form.cleaned_data["code"]):
                return _two_factor_page(request, error=gettext("That code is not right; two-factor sign-in stays on."), status=422)
            two_factor_disable(user=request.user, actor=request.user)
            messages.success(request, gettext("Two-factor sign-in is off."))
            return redirect("workspace:two-factor")
    except ApplicationError as exc:
        return _two_factor_page(request, error=exc.message, status=exc.status)
    return _two_factor_page(request, error=gettext("There is no step “%(step)s”.") % {"step": step}, status=400)


def _key_id(value: str) -> int:
    # 0 is no key's id: the service then answers that the key is not one of the agent's, as for a stranger's id.
    return int(value) if value.isdigit() else 0


@login_required
@require_POST
def sessions_end(request):
    """Sign the agent out of every other browser; this one stays signed in."""
    sessions_end_everywhere(user=request.user, actor=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, gettext("Every other session of yours was signed out."))
    return redirect("workspace:profile")


def _security_page(request, form, *, error: str = "", status: int = 200):
    return render(request, "workspace/settings_security.html",
                  {"form": form, "error": error, "sso": sso_config(), "section": "settings-security"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def security_settings(request):
    """Show the sign-in rules; a POST saves them."""
    allowed(request, "security.manage", gettext("Only admins change the security settings."))
    if request.method == "GET":
        policy = security_policy()
        return _security_page(request, SecurityPolicyForm(initial={"two_factor_roles": sorted(policy.two_factor_roles),
                                                                    "session_hours": policy.session_hours,
                                                                    "team_scoping": policy.team_scoping}))
    form = SecurityPolicyForm(request.POST)
    return form_submitted(
        request, form,
        save=lambda data: security_policy_update(actor=request.user, **data),
        done=lambda _: gettext("The security settings were saved."),
        refused=lambda error, status: _security_page(request, form, error=error, status=status),
        to=lambda _: reverse("workspace:security-settings"))


def _sso_page(request, form, *, error: str = "", status: int = 200):
    return render(request, "workspace/settings_sso.html",
                  {"form": form, "error": error, "sso": sso_config(), "section": "settings-security",
                   "callback_url": request.build_absolute_uri(reverse("oidc_authentication_callback"))}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sso_settings(request):
    """Show the single sign-on provider (never its secret); a POST saves it, naming each field it refuses."""
    allowed(request, "security.manage", gettext("Only admins change the security settings."))
    if request.method == "GET":
        initial = {name: value for name, value in asdict(sso_config()).items() if name != "client_secret"}
        return _sso_page(request, SingleSignOnForm(initial=initial))
    form = SingleSignOnForm(request.POST)
    if not form.is_valid():
        return _sso_page(request, form, error=forms.first_error(form), status=422)
    try:
        sso_config_update(actor=request.user, **form.cleaned_data)
    except ValidationFailed as exc:
        for name, problem in exc.extra.items():
            form.add_error(name if name in form.fields else None, problem)
        return _sso_page(request, form, error=exc.message, status=exc.status)
    messages.success(request, gettext("Single sign-on was saved; it applies from the next sign-in."))
    return redirect("workspace:sso-settings")


@login_required
@require_GET
def audit_log(request):
    """List who changed what and when, filtered; format=csv downloads every matching entry."""
    allowed(request, "audit.view", gettext("Only admins read the audit log."))
    form = AuditFilterForm(request.GET or None, actors=User.objects.order_by("name"), target_types=audit_target_types())
    if request.GET and not form.is_valid():
        return render(request, "workspace/audit_log.html", {"form": form, "page": None, "section": "settings-audit"}, status=400)
    data = form.cleaned_data if request.GET else {}
    filters = AuditFilters(actor_id=data.get("actor") and data["actor"].pk, action=data.get("action", ""),
                           target_type=data.get("target_type", ""), since=data.get("since"), until=data.get("until"))
    entries = audit_entries(filters=filters)
    if request.GET.get("format") == "csv":
        return _audit_csv(entries)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(data.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workspace/audit_log.html", {"form": form, "page": page, "rows": audit_rows(page.object_list),
                                                        "query": query.urlencode(), "section": "settings-audit"})


def _audit_csv(entries) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "action", "kind", "record", "changes"])
    for start in range(0, entries.count(), 500):
        for row in audit_rows(entries[start:start + 500]):
            writer.writerow([row.entry.created_at.isoformat(), row.actor, row.entry.action, row.target_kind, row.target_name,
                             "; ".join(row.changes)])
    return response
