"""Settings → Routing and Settings → Calendars (admins, supervisors): each form calls one routing service."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.accounts.models import Team, User
from parley.channels.models import Inbox
from parley.core.errors import ApplicationError
from parley.routing import selectors, services
from parley.routing.forms import AgentRoutingForm, CalendarForm, HolidayForm, PolicyForm, SkillForm
from parley.routing.models import AgentRouting, BusinessCalendar, Holiday
from parley.workspace.forms import first_error
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors manage routing.")


def _refused(request, template: str, context: dict, exc_or_form) -> object:
    """Show the page again with why the change was refused (422 for a form, the service's status otherwise)."""
    if isinstance(exc_or_form, ApplicationError):
        context["error"], status = exc_or_form.message, exc_or_form.status
    else:
        context["error"], status = first_error(exc_or_form), 422
    return render(request, template, context, status=status)


def _home_context(**bound) -> dict:
    rows = [{"scope": scope, "target": target, "policy": policy,
             "form": PolicyForm(initial={"strategy": policy.strategy, "calendar": policy.calendar,
                                         "idle_reassign_minutes": policy.idle_reassign_minutes} if policy else None,
                                auto_id=f"{scope}{target.pk}_%s")}
            for scope, target, policy in selectors.policy_rows()]
    sizes = selectors.queue_sizes()
    longest = max((n for _, n in sizes), default=0)
    return {"rows": rows, "queue": selectors.queue_list()[:100], "queue_sizes": [(label, n, round(100 * n / longest)) for label, n in sizes],
            "skills": selectors.skill_list(), "skill_form": SkillForm(), "agents": selectors.agent_rows(),
            "section": "routing", "error": "", **bound}


@login_required
@require_GET
def routing_home(request):
    """The queue (with a chart of its length per team), each team's and inbox's policy, skills and agents."""
    allowed(request, "routing.manage", REFUSAL)
    return render(request, "routing/home.html", _home_context())


@login_required
@require_POST
def policy_save(request, scope: str, target_id: int):
    """Set the routing of one team or one inbox."""
    allowed(request, "routing.manage", REFUSAL)
    if scope not in ("team", "inbox"):
        raise Http404("Routing is set per team or per inbox.")
    target = get_object_or_404(Team if scope == "team" else Inbox, pk=target_id)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _refused(request, "routing/home.html", _home_context(), form)
    try:
        services.routing_policy_save(actor=request.user, **{scope: target}, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, "routing/home.html", _home_context(), exc)
    messages.success(request, gettext("Routing of %(target)s saved.") % {"target": target})
    return redirect("routing:home")


@login_required
@require_POST
def skill_create(request):
    allowed(request, "routing.manage", REFUSAL)
    form = SkillForm(request.POST)
    if not form.is_valid():
        return _refused(request, "routing/home.html", _home_context(skill_form=form), form)
    try:
        skill = services.skill_create(name=form.cleaned_data["name"], actor=request.user)
    except ApplicationError as exc:
        return _refused(request, "routing/home.html", _home_context(skill_form=form), exc)
    messages.success(request, gettext("Skill “%(skill)s” added.") % {"skill": skill})
    return redirect("routing:home")


@login_required
@require_http_methods(["GET", "POST"])
def agent_edit(request, agent_id: int):
    """An agent's skills and capacity per channel."""
    allowed(request, "routing.manage", REFUSAL)
    agent = get_object_or_404(User, pk=agent_id, is_active=True)
    profile = AgentRouting.objects.filter(agent=agent).first()
    form = AgentRoutingForm(request.POST or None, profile=profile)
    context = {"agent": agent, "form": form, "section": "routing", "error": ""}
    if request.method == "POST":
        if not form.is_valid():
            return _refused(request, "routing/agent.html", context, form)
        try:
            services.agent_routing_set(agent=agent, actor=request.user, skills=list(form.cleaned_data["skills"]),
                                       capacity=form.capacity(), default_capacity=form.cleaned_data["default_capacity"])
        except ApplicationError as exc:
            return _refused(request, "routing/agent.html", context, exc)
        messages.success(request, gettext("Skills and capacity of %(agent)s saved.") % {"agent": agent})
        return redirect("routing:home")
    return render(request, "routing/agent.html", context)


@login_required
@require_GET
def calendar_list(request):
    allowed(request, "routing.manage", REFUSAL)
    return render(request, "routing/calendars.html", {"calendars": selectors.calendar_list(), "section": "calendars"})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, calendar_id: int | None = None):
    """Create a calendar or change its name, time zone and weekly hours; its holidays are listed below."""
    allowed(request, "routing.manage", REFUSAL)
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id) if calendar_id else None
    form = CalendarForm(request.POST or None, calendar=calendar)
    context = {"calendar": calendar, "form": form, "holiday_form": HolidayForm(), "section": "calendars", "error": ""}
    if request.method == "POST":
        if not form.is_valid():
            return _refused(request, "routing/calendar.html", context, form)
        try:
            calendar = services.calendar_save(actor=request.user, calendar=calendar, name=form.cleaned_data["name"],
                                              time_zone=form.cleaned_data["time_zone"], hours=form.cleaned_data["hours"])
        except ApplicationError as exc:
            return _refused(request, "routing/calendar.html", context, exc)
        messages.success(request, gettext("The calendar “%(calendar)s” was saved; due times on it are being recomputed.")
                         % {"calendar": calendar})
        return redirect("routing:calendar", calendar.pk)
    return render(request, "routing/calendar.html", context)


@login_required
@require_POST
def holiday_add(request, calendar_id: int):
    allowed(request, "routing.manage", REFUSAL)
    calendar = get_object_or_404(BusinessCalendar, pk=calendar_id)
    form = HolidayForm(request.POST)
    context = {"calendar": calendar, "form": CalendarForm(calendar=calendar), "holiday_form": form, "section": "calendars"}
    if not form.is_valid():
        return _refused(request, "routing/calendar.html", context, form)
    try:
        services.holiday_add(calendar=calendar, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        return _refused(request, "routing/calendar.html", context, exc)
    messages.success(request, gettext("%(day)s is a holiday now.") % {"day": form.cleaned_data['day']})
    return redirect("routing:calendar", calendar.pk)


@login_required
@require_POST
def holiday_delete(request, calendar_id: int, holiday_id: int):
    allowed(request, "routing.manage", REFUSAL)
    holiday = get_object_or_404(Holiday, pk=holiday_id, calendar_id=calendar_id)
    services.holiday_delete(holiday=holiday, actor=request.user)
    messages.success(request, gettext("%(date)s is a working day again.") % {"date": holiday.date})
    return redirect("routing:calendar", calendar_id)
