"""Rebuilding the facts (parley rebuild-reports) restores them, and moves day boundaries to a new time zone."""
from django.test import override_settings

from parley.analytics import selectors
from parley.analytics.kpis import Scope, kpi_values
from parley.analytics.models import ConversationFact
from parley.analytics.services import facts_rebuild
from tests.analytics.conftest import PERIOD


def test_rebuilding_restores_the_facts_and_follows_a_new_time_zone(workspace):
    scope = Scope(start=PERIOD[0], end=PERIOD[1])
    before = kpi_values(scope)
    ConversationFact.objects.all().delete()

    seen = []
    assert facts_rebuild(progress=lambda done, total: seen.append((done, total)), batch=4) == 6
    assert kpi_values(scope) == before
    assert seen[-1] == (6, 6)

    with override_settings(TIME_ZONE="UTC"):
        facts_rebuild()
        by_day = selectors.volume_by_day(scope)["current"]
    # In UTC, #2 (23:30 on Monday) belongs to Monday, and #5 (23:30 on Sunday) to the period.
    assert by_day == [2, 0, 1, 0, 0, 0, 2]
