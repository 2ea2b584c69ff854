"""The daily rollup stays the exact sum of the facts as events change them, and a rebuild makes the same rows."""
from parley.analytics.measures import FACT_MEASURES, filled
from parley.analytics.models import ConversationFact, DailyRollup
from parley.analytics.services import rollup_rebuild
from tests.analytics.conftest import PERIOD, drain, utc


def _rollup() -> dict:
    return {(r.day, r.channel): {name: getattr(r, name) for name in FACT_MEASURES} | {"weekday": r.weekday, "hours": r.hours}
            for r in DailyRollup.objects.all()}


def _facts_summed() -> dict:
    summed = {}
    for row in ConversationFact.objects.values("day", "channel").annotate(**FACT_MEASURES).order_by():
        facts = ConversationFact.objects.filter(day=row["day"], channel=row["channel"])
        hours = [facts.filter(hour=hour).count() for hour in range(24)]
        summed[row["day"], row["channel"]] = {name: filled(row)[name] for name in FACT_MEASURES} | {
            "weekday": row["day"].weekday(), "hours": hours}
    return summed


def test_events_keep_each_rollup_row_the_sum_of_its_facts(service_levels, admin, run_due_jobs):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import conversation_merge, conversation_set_status, message_receive

    assert _rollup() == _facts_summed() and len(_rollup()) == ConversationFact.objects.values("day", "channel").distinct().count()
    # A duplicate on C1's day, then merged away: its row counts it, then no longer.
    c1 = service_levels["c1"]
    duplicate = message_receive(inbox=c1.inbox, inbound=InboundMessage(
        external_id="dup", identity_kind="external_id", source_id="c1", text="Me again", conversation_id=None),
        received_at=utc(5, 8, 20)).conversation
    drain(run_due_jobs)
    bucket = (PERIOD[0], "api")
    assert _rollup()[bucket]["conversations"] == 2 and _rollup()[bucket]["hours"][9] == 2 and _rollup() == _facts_summed()

    conversation_merge(keep=c1, merge=duplicate, actor=admin)
    drain(run_due_jobs)

    assert _rollup()[bucket]["conversations"] == 1 and _rollup()[bucket]["hours"][9] == 1 and _rollup() == _facts_summed()

    # Reopening and solving again move the day's counts by one each way, the rest of the row staying the facts' sum.
    solved = _rollup()[bucket]["solved"]
    c1.refresh_from_db()
    conversation_set_status(conversation=c1, actor=admin, status="open")
    drain(run_due_jobs)
    assert _rollup()[bucket]["solved"] == solved - 1 and _rollup() == _facts_summed()
    c1.refresh_from_db()
    conversation_set_status(conversation=c1, actor=admin, status="solved")
    drain(run_due_jobs)
    assert _rollup()[bucket]["solved"] == solved and _rollup()[bucket]["reopened"] >= 1 and _rollup() == _facts_summed()


def test_a_rebuild_makes_the_same_rows(service_levels):
    kept = _rollup()
    DailyRollup.objects.update(conversations=99)

    assert rollup_rebuild() == len(kept)
    assert _rollup() == kept
