"""Dashboards for supervisors: KPIs with the previous period, charts, drill-downs, CSV exports, the live view."""
import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parley.analytics import selectors, services
from parley.analytics.forms import ScopeForm
from parley.analytics.kpis import KPIS, Scope, kpi_values
from parley.analytics.models import ReportSubscription
from parley.core.errors import ApplicationError
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Only admins and supervisors see reports.")
#: The service-level charts, each drawn from its labelled series and exported as CSV under its key: (title, series).
SERVICE_CHARTS = {
    "business-hours": (gettext_lazy("Business-hours response and resolution per day"), selectors.business_hours_by_day),
    "sla": (gettext_lazy("SLA compliance per day"), selectors.sla_compliance_by_day),
    "chat-ratings": (gettext_lazy("Chat ratings"), selectors.chat_rating_counts),
    "voice-aht": (gettext_lazy("Voice handle time per day"), selectors.voice_handle_by_day),
}
DRILL_PAGE = 50


def _scope_form(request) -> ScopeForm:
    allowed(request, "report.view", REFUSAL)
    return ScopeForm(request.GET)


def _problem(form: ScopeForm) -> JsonResponse:
    extra = {field: "; ".join(problems) for field, problems in form.errors.items()}
    return JsonResponse({"message": gettext("The report's filters are not valid."), "extra": extra}, status=400)


@login_required
@require_GET
def dashboard(request):
    """The KPIs of a period against the one before, and the volume charts, for the chosen filters."""
    form = _scope_form(request)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form, "section": "analytics"}, status=400)
    scope = form.scope()
    charts = {"volume_by_day": selectors.volume_by_day(scope), "by_channel": selectors.volume_by_channel(scope),
              "heatmap": selectors.volume_heatmap(scope), **{key: series(scope) for key, (_, series) in SERVICE_CHARTS.items()}}
    agents = selectors.agent_table(scope)
    charts["agents"] = {"labels": [row["agent"] for row in agents], "conversations": [row["conversations"] for row in agents],
                        "solved": [row["solved"] for row in agents]}
    context = {"form": form, "scope": scope, "query": scope.querystring(), "kpis": kpi_values(scope), "charts": charts,
               "previous": scope.previous(), "agents": agents, "section": "analytics",
               "subscription": ReportSubscription.objects.filter(user=request.user).first(),
               "weekdays": list(WEEKDAYS.items()), "time_zone": settings.TIME_ZONE, "chart_words": _chart_words(),
               "service_charts": [(key, title, charts[key]) for key, (title, _) in SERVICE_CHARTS.items()]}
    return render(request, "analytics/dashboard.html", context)


def _chart_words() -> dict:
    """The charts' own words in the agent's language, for analytics.js (#chart-words)."""
    return {"this_period": gettext("This period"), "period_before": gettext("Period before"), "conversations": gettext("Conversations"),
            "solved": gettext("Solved"), "days": [str(WEEKDAYS_ABBR[day]) for day in range(7)]}


@login_required
@require_GET
def drill(request, key: str):
    """The conversations behind one KPI's number, as a page or (format=csv) a CSV file."""
    item = KPIS.get(key)
    if item is None or item.drill is None:
        raise Http404("No such report.")
    form = _scope_form(request)
    if not form.is_valid():
        return _problem(form)
    scope = form.scope()
    conversations = item.drill(scope).select_related("inbox", "assignee", "contact")
    if request.GET.get("format") == "csv":
        rows = ([c.pk, c.subject, c.inbox.name, c.status, c.assignee or "", c.created_at.isoformat()] for c in conversations)
        return _csv(f"{key}-conversations", ["number", "subject", "inbox", "status", "assignee", "created_at"], rows, scope)
    page = Paginator(conversations, DRILL_PAGE).get_page(request.GET.get("page"))
    return render(request, "analytics/drill.html", {"kpi": item, "page": page, "scope": scope, "query": scope.querystring(),
                                                    "value": kpi_values(scope), "section": "analytics"})


def _csv(name: str, header: list[str], rows, scope: Scope) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{scope.start}-{scope.end}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _kpi_rows(scope):
    return ([r["key"], r["label"], r["unit"], r["value"], r["previous"]] for r in kpi_values(scope))


def _day_rows(scope):
    series = selectors.volume_by_day(scope)
    return zip(series["labels"], series["current"], series["previous"])


def _channel_rows(scope):
    series = selectors.volume_by_channel(scope)
    return zip(series["labels"], series["values"])


def _heatmap_rows(scope):
    return ([cell["weekday"], cell["hour"], cell["count"]] for cell in selectors.volume_heatmap(scope))


def _agent_rows(scope):
    return ([r["agent"], r["conversations"], r["solved"], r["first_response"], r["resolution"], r["csat_answers"], r["csat"]]
            for r in selectors.agent_table(scope))


#: Every report on the dashboard, as CSV: its header and its rows.
EXPORTS = {
    "kpis": (["kpi", "label", "unit", "value", "previous_period"], _kpi_rows),
    "volume-by-day": (["day", "conversations", "previous_period_same_day"], _day_rows),
    "volume-by-channel": (["channel", "conversations"], _channel_rows),
    "heatmap": (["weekday", "hour", "conversations"], _heatmap_rows),
    "agents": (["agent", "conversations", "solved", "first_response_seconds", "resolution_seconds", "csat_answers",
                "csat_percent"], _agent_rows),
}


@login_required
@require_GET
def export(request, report: str):
    """Download one of the dashboard's reports as CSV, for the same period and filters."""
    if report not in EXPORTS and report not in SERVICE_CHARTS:
        raise Http404("No such report.")
    form = _scope_form(request)
    if not form.is_valid():
        return _problem(form)
    scope = form.scope()
    if report in SERVICE_CHARTS:
        data = SERVICE_CHARTS[report][1](scope)
        header = ["label", *(dataset["label"] for dataset in data["datasets"])]
        return _csv(report, header, selectors.labelled_rows(data), scope)
    header, rows = EXPORTS[report]
    return _csv(report, header, rows(scope), scope)


@login_required
@require_GET
def now(request):
    """The live view: queues per channel, customers waiting and the longest wait, agents online and their load."""
    allowed(request, "report.view", REFUSAL)
    template = "analytics/_now.html" if request.htmx else "analytics/now.html"
    return render(request, template, {"live": selectors.live_now(), "section": "analytics-now"})


@login_required
@require_POST
def subscription(request):
    """Start, change or stop the weekly report email of the signed-in supervisor."""
    allowed(request, "report.view", REFUSAL)
    if request.POST.get("stop"):
        services.report_subscription_cancel(user=request.user)
        messages.success(request, gettext("You will no longer get the weekly report."))
        return redirect("analytics:dashboard")
    try:
        weekday = int(request.POST.get("weekday", ""))
        services.report_subscription_set(user=request.user, weekday=weekday)
    except (ValueError, ApplicationError) as exc:
        messages.error(request, getattr(exc, "message", gettext("Choose a day of the week.")))
    else:
        messages.success(request, gettext("The weekly report will reach %(email)s every %(weekday)s.")
                         % {"email": request.user.email, "weekday": WEEKDAYS[weekday]})
    return redirect("analytics:dashboard")
