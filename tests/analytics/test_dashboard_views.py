"""The reports pages over the hand-computed workspace: KPIs, drill-down, CSV exports, live view, weekly email."""
import csv
import io

import pytest
from django.core import mail
from django.test import Client

from parley.accounts.models import Role
from tests.analytics.conftest import PERIOD

RANGE = f"start={PERIOD[0]}&end={PERIOD[1]}"


@pytest.fixture
def supervisor_client(make_agent):
    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR, name="Sue Supervisor"))
    return client


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_dashboard_shows_each_kpi_with_the_period_before(workspace, supervisor_client):
    page = supervisor_client.get(f"/analytics/?{RANGE}").content.decode()

    assert 'data-kpi="volume"' in page
    assert '>4</a>' in page and "before: 1" in page
    assert "1 h 10 min" in page  # average first response, 4200 s
    assert "Europe/Berlin" in page


def test_a_kpi_drills_down_to_its_conversations_and_exports_them(workspace, supervisor_client):
    page = supervisor_client.get(f"/analytics/drill/reopen_rate/?{RANGE}").content.decode()
    exported = _csv(supervisor_client.get(f"/analytics/drill/reopen_rate/?{RANGE}&format=csv"))

    assert f"#{workspace['c3'].pk}" in page and "1 conversation." in page
    assert exported[0][:2] == ["number", "subject"] and [row[0] for row in exported[1:]] == [str(workspace["c3"].pk)]


def test_every_report_exports_as_csv(workspace, supervisor_client):
    kpis = {row[0]: row for row in _csv(supervisor_client.get(f"/analytics/export/kpis.csv?{RANGE}"))[1:]}
    days = _csv(supervisor_client.get(f"/analytics/export/volume-by-day.csv?{RANGE}"))
    channels = _csv(supervisor_client.get(f"/analytics/export/volume-by-channel.csv?{RANGE}"))
    heatmap = _csv(supervisor_client.get(f"/analytics/export/heatmap.csv?{RANGE}"))
    agents = _csv(supervisor_client.get(f"/analytics/export/agents.csv?{RANGE}&channel=api"))

    assert (kpis["volume"][3], kpis["volume"][4], kpis["fcr"][3]) == ("4", "1", "50.0")
    assert days[1] == ["2026-01-05", "1", "0"] and len(days) == 8
    assert channels[1:] == [["api", "3"], ["webform", "1"]]
    assert ["Tue", "0", "1"] in heatmap and len(heatmap) == 1 + 7 * 24
    assert [row[:3] for row in agents[1:]] == [["Ana Agent", "1", "1"], ["Ben Agent", "1", "1"]]


def test_bad_filters_get_a_clear_error(workspace, supervisor_client):
    dashboard = supervisor_client.get("/analytics/?start=2026-02-01&end=2026-01-01")
    export = supervisor_client.get("/analytics/export/kpis.csv?start=yesterday")
    unknown = supervisor_client.get(f"/analytics/export/nothing.csv?{RANGE}")

    assert dashboard.status_code == 400 and b"The start date is after the end date." in dashboard.content
    assert export.status_code == 400
    assert export.json() == {"message": "The report's filters are not valid.", "extra": {"start": "Enter a valid date."}}
    assert unknown.status_code == 404


def test_agents_do_not_see_reports(workspace, agent):
    client = Client()
    client.force_login(agent)

    assert client.get("/analytics/").status_code == 403
    assert client.get("/analytics/export/kpis.csv").status_code == 403


def test_the_live_view_shows_queues_waits_and_agents_online(workspace, supervisor_client):
    from parley.accounts.services import agent_set_availability

    agent_set_availability(user=workspace["ana"], availability="online")

    page = supervisor_client.get("/analytics/now/").content.decode()

    # Waiting on us: c4 and c5 (never answered) and c3 (the customer wrote after the answer).
    assert "3 customers waiting for an answer" in page
    assert f"(#{workspace['c3'].pk})" in page  # the longest wait: since 8 January
    assert "<td>Ana Agent</td><td><span class=\"dot dot-online\"></span> online</td><td>1</td>" in page


def test_a_subscriber_gets_the_weekly_report_by_email_once_on_their_day(workspace, supervisor_client, run_due_jobs):
    from django.utils import timezone

    from parley.analytics.services import weekly_reports_send

    supervisor_client.post("/analytics/subscription/", {"weekday": str(timezone.localdate().weekday())})

    assert weekly_reports_send() == 1
    assert weekly_reports_send() == 0
    [report] = [m for m in mail.outbox if m.subject.startswith("Weekly support report")]
    assert "Conversations:" in report.body and "/analytics/?start=" in report.body


def test_the_api_gives_every_kpi_for_a_period_and_refuses_bad_filters(workspace, api_as, admin):
    api = api_as(admin)

    kpis = {row["key"]: row for row in api.get("/reports/kpis", start=str(PERIOD[0]), end=str(PERIOD[1]), channel="api").json()}
    bad = api.get("/reports/kpis", start="2026-02-01", end="2026-01-01")

    assert (kpis["volume"]["value"], kpis["volume"]["previous"], kpis["resolution"]["value"]) == (3, 1, 5400)
    assert bad.status_code == 422 and bad.json()["extra"] == {"__all__": "The start date is after the end date."}


def test_a_german_supervisor_gets_the_charts_words_and_the_kpis_in_german(workspace, make_agent, api_as):
    import json
    import re

    from parley.accounts.services import agent_update_profile

    supervisor = make_agent(Role.SUPERVISOR, name="Sue Supervisor")
    agent_update_profile(user=supervisor, name=supervisor.name, signature="", language="de")
    client = Client()
    client.force_login(supervisor)
    api = api_as(supervisor)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"

    page = client.get(f"/analytics/?{RANGE}").content.decode()
    bad = api.get("/reports/kpis", start="2026-02-01", end="2026-01-01")

    words = json.loads(re.search(r'<script id="chart-words" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert words == {"this_period": "Dieser Zeitraum", "period_before": "Vorperiode", "conversations": "Konversationen",
                     "solved": "Gelöst", "days": ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]}
    assert "Erste Antwortzeit" in page and "Wiedereröffnungsrate" in page
    assert bad.status_code == 422 and bad.json()["message"] == "Die Filter des Berichts sind ungültig."


def test_a_german_subscriber_gets_the_weekly_report_in_german(workspace, make_agent):
    from django.utils import timezone

    from parley.accounts.services import agent_update_profile
    from parley.analytics.services import report_subscription_set, weekly_reports_send

    supervisor = make_agent(Role.SUPERVISOR, name="Sue Supervisor")
    agent_update_profile(user=supervisor, name=supervisor.name, signature="", language="de")
    report_subscription_set(user=supervisor, weekday=timezone.localdate().weekday())

    weekly_reports_send()

    [report] = [m for m in mail.outbox if m.to == [supervisor.email]]
    assert report.subject.startswith("Wöchentlicher Support-Bericht ")
    assert report.body.startswith("Hallo Sue Supervisor,") and "Konversationen: " in report.body and "(Vorwoche: " in report.body
