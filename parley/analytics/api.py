"""Reports over the API: every registered KPI for a period and filters, beside the period before."""
from django.utils.translation import gettext
from ninja import Router, Schema

from parley.accounts.permissions import require
from parley.analytics.forms import ScopeForm
from parley.analytics.kpis import kpi_values
from parley.core.errors import ValidationFailed

router = Router(tags=["reports"])


class KpiOut(Schema):
    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None


@router.get("/reports/kpis", response=list[KpiOut])
def report_kpis(request, start: str = "", end: str = "", inbox: str = "", channel: str = "", team: str = "",
                agent: str = "", tag: str = ""):
    """Every KPI over local days start…end (default: the last 30), filtered like the dashboard, with the period before."""
    require(request.auth, "report.view")
    form = ScopeForm({"start": start, "end": end, "inbox": inbox, "channel": channel, "team": team, "agent": agent, "tag": tag})
    if not form.is_valid():
        raise ValidationFailed(gettext("The report's filters are not valid."),
                               extra={field: "; ".join(problems) for field, problems in form.errors.items()})
    return kpi_values(form.scope())
