"""In a real browser: the dashboard's charts carry the hand-computed numbers, and a survey is answered from its email."""
import email
import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from parley.accounts.models import Role
from tests.analytics.conftest import PERIOD
from tests.workspace.conftest import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.servers]


@pytest.fixture(scope="module")
def berlin_server(parley_server_factory):
    with parley_server_factory({"PARLEY_TIME_ZONE": "Europe/Berlin"}) as base:
        yield base


def test_the_charts_draw_the_numbers_of_the_period(transactional_db, berlin_server, workspace, make_agent, page):
    supervisor = make_agent(Role.SUPERVISOR, name="Sue Supervisor")
    _log_in(page, berlin_server, supervisor)

    page.goto(f"{berlin_server}/analytics/?start={PERIOD[0]}&end={PERIOD[1]}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-heatmap')")
    line = page.evaluate("() => Chart.getChart('chart-volume').data.datasets.map(d => d.data)")
    bars = page.evaluate("() => { const d = Chart.getChart('chart-channels').data; return [d.labels, d.datasets[0].data]; }")
    agents = page.evaluate("() => { const d = Chart.getChart('chart-agents').data; return [d.labels, ...d.datasets.map(s => s.data)]; }")
    cells = page.evaluate("() => Chart.getChart('chart-heatmap').data.datasets[0].data.filter(c => c.v).map(c => [c.y, c.x, c.v])")

    assert line == [[1, 1, 1, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0]]
    assert bars == [["api", "webform"], [3, 1]]
    assert agents == [["Ana Agent", "Ben Agent"], [2, 1], [1, 1]]
    assert sorted(cells) == sorted([["Mon", 9, 1], ["Tue", 0, 1], ["Wed", 11, 1], ["Sun", 23, 1]])
    expect(page.locator('[data-kpi="volume"] .kpi-value')).to_have_text("4")
    # A number leads to the conversations behind it.
    page.locator('[data-kpi="reopen_rate"] .kpi-value').click()
    expect(page.locator("table.drill tbody tr")).to_have_count(1)
    expect(page.locator("table.drill")).to_contain_text(f"#{workspace['c3'].pk}")


def test_a_customer_answers_the_csat_survey_from_the_email(transactional_db, berlin_server, webform_inbox, agent, smtp_sink, page):
    from parley.channels.base import InboundMessage
    from parley.conversations.models import Status
    from parley.conversations.services import message_receive, message_reply
    from parley.surveys.models import Survey

    host, port, sink = smtp_sink
    conversation = message_receive(inbox=webform_inbox, inbound=InboundMessage(
        external_id="form-b1", identity_kind="email", source_id="rita@example.test", contact_email="rita@example.test",
        contact_name="Rita Ruiz", text="Where is my order?", subject="Order 1234")).conversation
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST=host, EMAIL_PORT=port,
                           PARLEY_BASE_URL=berlin_server):
        message_reply(conversation=conversation, author=agent, text="It ships today.", status=Status.SOLVED)

    bodies = [email.message_from_bytes(m.content).get_payload(decode=True).decode() for m in sink.messages]
    [survey_mail] = [body for body in bodies if "rate the support" in body]
    four = re.search(r"^4 – Happy: (\S+)", survey_mail, re.M).group(1)

    page.goto(four)
    expect(page.locator(".survey-answer")).to_contain_text("You answered 4 out of 5")
    page.get_by_label("Anything you would like to add?").fill("Fast and friendly.")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator(".survey-comment")).to_have_text("Fast and friendly.")
    page.goto(four.replace("score=4", "score=1"))

    expect(page.locator(".survey-score")).to_have_text("4")
    expect(page.locator("textarea")).to_have_count(0)
    survey = Survey.objects.get(conversation=conversation)
    assert (survey.score, survey.comment) == (4, "Fast and friendly.")


def test_the_service_level_charts_draw_the_hand_computed_numbers(transactional_db, berlin_server, service_levels,
                                                                 make_agent, page):
    supervisor = make_agent(Role.SUPERVISOR, name="Sam Supervisor")
    _log_in(page, berlin_server, supervisor)

    page.goto(f"{berlin_server}/analytics/?start={PERIOD[0]}&end={PERIOD[1]}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-voice-aht')")

    def datasets(chart: str):
        return page.evaluate(f"() => Chart.getChart('chart-{chart}').data.datasets.map(d => d.data)")

    assert datasets("business-hours") == [[30, 0, 120, None, 45, None, None], [30, 0, None, None, 90, None, None]]
    assert datasets("sla")[0] == [100, 100, None, None, 0, None, 0]
    assert datasets("chat-ratings") == [[1, 0, 0, 1, 1]]
    assert datasets("voice-aht")[0] == [None, 6, None, 10, None, None, None]
    expect(page.locator('[data-kpi="first_response_business"] .kpi-value')).to_have_text("49 min")
    expect(page.locator('[data-kpi="sla_compliance"] .kpi-value')).to_have_text("50 %")
    expect(page.locator('[data-kpi="chat_rating"] .kpi-value')).to_have_text("3.3")
    expect(page.locator('[data-kpi="voice_aht"] .kpi-value')).to_have_text("7 min")
    # The SLA number leads to the two conversations that broke it.
    page.locator('[data-kpi="sla_compliance"] .kpi-value').click()
    expect(page.locator("table.drill tbody tr")).to_have_count(2)
