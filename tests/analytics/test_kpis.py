"""The KPI engine against a workspace whose numbers were worked out by hand (tests/analytics/conftest.py)."""
from parley.analytics import selectors
from parley.analytics.kpis import KPIS, Scope, kpi_values
from tests.analytics.conftest import PERIOD, drain


def test_every_kpi_matches_the_hand_computed_value(workspace):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    values = {row["key"]: row["value"] for row in kpi_values(scope)}

    assert values["volume"] == 4
    assert values["first_response"] == (1800 + 3600 + 7200) / 3
    assert values["next_response"] == 2400
    assert values["resolution"] == (1800 + 9000) / 2
    assert values["fcr"] == 50.0
    assert values["reopen_rate"] == 25.0
    assert values["backlog"] == 3
    assert values["csat"] is None  # nobody answered a survey in January


def test_the_previous_period_is_the_week_before_with_its_own_numbers(workspace):
    rows = {row["key"]: row for row in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1]))}

    assert (rows["volume"]["previous"], rows["volume"]["change"]) == (1, 3)
    assert rows["first_response"]["previous"] == 600
    assert rows["first_response"]["display"] == "1 h 10 min"


def test_days_and_hours_are_the_workspace_time_zones(workspace):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    by_day = selectors.volume_by_day(scope)
    cells = {(c["weekday"], c["hour"]): c["count"] for c in selectors.volume_heatmap(scope) if c["count"]}

    assert by_day["current"] == [1, 1, 1, 0, 0, 0, 1]
    assert by_day["previous"] == [0, 0, 0, 0, 1, 0, 0]
    assert cells == {("Mon", 9): 1, ("Tue", 0): 1, ("Wed", 11): 1, ("Sun", 23): 1}


def test_filters_narrow_every_kpi_to_a_channel_an_agent_or_a_tag(workspace, run_due_jobs):
    from parley.conversations.services import conversation_set_tags

    conversation_set_tags(conversation=workspace["c2"], actor=workspace["ben"], tags=["billing"])
    drain(run_due_jobs)  # the tag reaches the reports with the event's fact refresh

    webform = {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1], channel="webform"))}
    ana = {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1], agent_id=workspace["ana"].pk))}
    billing = {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1], tag="billing"))}

    assert (webform["volume"], webform["first_response"], webform["reopen_rate"], webform["backlog"]) == (1, 7200, 100.0, 1)
    assert (ana["volume"], ana["first_response"], ana["fcr"]) == (2, 4500, 100.0)
    assert (billing["volume"], billing["next_response"], billing["resolution"]) == (1, 2400, 9000)


def test_volume_by_channel_and_the_agent_table(workspace):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    assert selectors.volume_by_channel(scope) == {"labels": ["api", "webform"], "values": [3, 1]}
    table = {row["agent"]: row for row in selectors.agent_table(scope)}
    assert (table["Ana Agent"]["conversations"], table["Ana Agent"]["solved"], table["Ana Agent"]["first_response"]) == (2, 1, 4500)
    assert (table["Ben Agent"]["conversations"], table["Ben Agent"]["resolution"]) == (1, 9000)


def test_each_drill_down_lists_the_conversations_behind_its_number(workspace):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    assert set(KPIS["fcr"].drill(scope)) == {workspace["c1"]}
    assert set(KPIS["reopen_rate"].drill(scope)) == {workspace["c3"]}
    assert list(KPIS["resolution"].drill(scope)) == [workspace["c2"], workspace["c1"]]
    assert KPIS["volume"].drill(scope).count() == 4


def test_a_conversation_merged_into_another_counts_once(workspace, admin, run_due_jobs):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import conversation_merge, message_receive
    from tests.analytics.conftest import drain, utc

    c1 = workspace["c1"]
    duplicate = message_receive(inbox=c1.inbox, inbound=InboundMessage(
        external_id="dup", identity_kind="external_id", source_id="c1", text="Me again", conversation_id=None),
        received_at=utc(5, 8, 10)).conversation
    drain(run_due_jobs)
    assert {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1]))}["volume"] == 5

    conversation_merge(keep=c1, merge=duplicate, actor=admin)
    drain(run_due_jobs)

    assert {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1]))}["volume"] == 4


def test_durations_read_in_minutes_hours_or_days():
    from parley.analytics.kpis import display

    assert [display(v, "seconds") for v in (59, 4200, 9000, 2 * 86400 + 3 * 3600 + 59)] == ["1 min", "1 h 10 min", "2 h 30 min", "2 d 3 h"]
    assert (display(None, "seconds"), display(25.0, "percent"), display(-0.07, "score")) == ("—", "25 %", "-0.07")
