"""Business-hours times, SLA compliance, chat ratings and voice handle time against the hand-computed
values of the `service_levels` workspace (tests/analytics/conftest.py)."""
from parley.analytics import selectors
from parley.analytics.kpis import KPIS, Scope, kpi_values
from tests.analytics.conftest import PERIOD


def test_each_service_level_kpi_matches_the_hand_computed_value(service_levels):
    values = {row["key"]: row["value"] for row in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1]))}

    # C1 1800 (answered within opening hours), C2 0 (asked and answered at night), C3 7200 (no calendar), C7 2700.
    assert values["first_response_business"] == (1800 + 0 + 7200 + 2700) / 4
    # Calendar time still counts C7's long weekend: 3 days 16 h 45 min.
    assert values["first_response"] == (1800 + 3600 + 7200 + 319500) / 4
    # C1 1800, C2 0, C7 5400; C3 was reopened.
    assert values["resolution_business"] == (1800 + 0 + 5400) / 3
    # Under the shop app's SLA in the period: C1 and C2 kept it, C7 and C4 breached it.
    assert values["sla_compliance"] == 50.0
    assert values["chat_rating"] == round((5 + 4 + 1) / 3, 1)
    assert values["voice_aht"] == 440


def test_the_charts_carry_the_same_numbers_per_day(service_levels):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    business = selectors.business_hours_by_day(scope)
    sla = selectors.sla_compliance_by_day(scope)
    voice = selectors.voice_handle_by_day(scope)

    assert [d["data"] for d in business["datasets"]] == [[30.0, 0.0, 120.0, None, 45.0, None, None],
                                                         [30.0, 0.0, None, None, 90.0, None, None]]
    assert [d["data"] for d in sla["datasets"]] == [[100.0, 100.0, None, None, 0.0, None, 0.0],
                                                    [1, 1, None, None, 1, None, 1]]
    assert selectors.chat_rating_counts(scope)["datasets"][0]["data"] == [1, 0, 0, 1, 1]
    assert [d["data"] for d in voice["datasets"]] == [[None, 6.0, None, 10.0, None, None, None],
                                                      [None, 2, None, 1, None, None, None]]


def test_drill_downs_list_the_breached_the_rated_and_the_called(service_levels):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])

    from parley.conversations.models import Conversation

    c4 = Conversation.objects.get(contact__identities__source_id="c4")
    assert set(KPIS["sla_compliance"].drill(scope)) == {service_levels["c7"], c4}
    assert {c.inbox.kind for c in KPIS["chat_rating"].drill(scope)} == {"chat"}
    assert KPIS["chat_rating"].drill(scope).count() == 3
    assert list(KPIS["voice_aht"].drill(scope)) == [service_levels["c2"]]


def test_a_filter_narrows_them_too(service_levels):
    webform = {r["key"]: r["value"] for r in kpi_values(Scope(start=PERIOD[0], end=PERIOD[1], channel="webform"))}

    assert (webform["first_response_business"], webform["sla_compliance"], webform["chat_rating"], webform["voice_aht"]) == (
        7200, None, None, None)


def test_each_service_level_chart_downloads_as_csv(service_levels, make_agent):
    import csv
    import io

    from django.test import Client

    from parley.accounts.models import Role

    client = Client()
    client.force_login(make_agent(Role.SUPERVISOR, name="Sue Supervisor"))
    query = f"start={PERIOD[0]}&end={PERIOD[1]}"

    sla = list(csv.reader(io.StringIO(client.get(f"/analytics/export/sla.csv?{query}").content.decode())))
    ratings = list(csv.reader(io.StringIO(client.get(f"/analytics/export/chat-ratings.csv?{query}").content.decode())))

    assert sla[0] == ["label", "SLA kept (%)", "Conversations under an SLA"]
    assert sla[1] == ["2026-01-05", "100.0", "1"] and sla[5] == ["2026-01-09", "0.0", "1"] and sla[4] == ["2026-01-08", "", ""]
    assert ratings[1:] == [["1", "1"], ["2", "0"], ["3", "0"], ["4", "1"], ["5", "1"]]
