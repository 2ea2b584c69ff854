"""The daily rollup stays the exact sum of the facts as events change them, and a rebuild makes the same rows."""
from parley.analytics.kpis import Scope
from parley.analytics.measures import DIMENSIONS, FACT_MEASURES, PAIRS, TAG_DIMENSION, filled, pair_dimension, rollup_key
from parley.analytics.models import ConversationFact, DailyRollup
from parley.analytics.services import rollup_rebuild
from tests.analytics.conftest import PERIOD, drain, utc


def _rollup() -> dict:
    return {(r.day, r.dimension, r.key, r.key2): {name: getattr(r, name) for name in FACT_MEASURES}
            | {"weekday": r.weekday, "hours": r.hours} for r in DailyRollup.objects.all()}


def _facts_summed() -> dict:
    """The rollup as the facts say it must be: per day, a row for each channel, inbox, team, assignee (0 for none) and tag,
    and for each pair of them a dashboard reads at once."""
    groups: dict[tuple, list[int]] = {}
    for fact in ConversationFact.objects.all():
        keys = {**{dimension: [rollup_key(getattr(fact, field))] for dimension, field in DIMENSIONS.items()},
                TAG_DIMENSION: [rollup_key(tag_id) for tag_id in fact.tag_ids]}
        for dimension, each in keys.items():
            for key in each:
                groups.setdefault((fact.day, dimension, key, ""), []).append(fact.pk)
        for narrowed, grouped in PAIRS:
            for key in keys[narrowed]:
                for key2 in keys[grouped]:
                    groups.setdefault((fact.day, pair_dimension(narrowed, grouped), key, key2), []).append(fact.pk)
    summed = {}
    for bucket, pks in groups.items():
        facts = ConversationFact.objects.filter(pk__in=pks)
        # The heat map reads no pair, so a pair's rows keep no hours.
        summed[bucket] = filled(facts.aggregate(**FACT_MEASURES)) | {
            "weekday": bucket[0].weekday(), "hours": [] if bucket[3] else [facts.filter(hour=hour).count() for hour in range(24)]}
    return summed


def test_events_keep_each_rollup_row_the_sum_of_its_facts(service_levels, admin, run_due_jobs):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import conversation_merge, conversation_set_status, message_receive

    assert _rollup() == _facts_summed()
    # A duplicate on C1's day, then merged away: its row counts it, then no longer.
    c1 = service_levels["c1"]
    duplicate = message_receive(inbox=c1.inbox, inbound=InboundMessage(
        external_id="dup", identity_kind="external_id", source_id="c1", text="Me again", conversation_id=None),
        received_at=utc(5, 8, 20)).conversation
    drain(run_due_jobs)
    day = _rollup()[PERIOD[0], "channel", "api", ""]
    assert day["conversations"] == 2 and day["hours"][9] == 2 and _rollup() == _facts_summed()

    conversation_merge(keep=c1, merge=duplicate, actor=admin)
    drain(run_due_jobs)

    day = _rollup()[PERIOD[0], "channel", "api", ""]
    assert day["conversations"] == 1 and day["hours"][9] == 1 and _rollup() == _facts_summed()

    # Reopening and solving again move the day's counts by one each way, the rest of the row staying the facts' sum.
    solved = _rollup()[PERIOD[0], "channel", "api", ""]["solved"]
    c1.refresh_from_db()
    conversation_set_status(conversation=c1, actor=admin, status="open")
    drain(run_due_jobs)
    assert _rollup()[PERIOD[0], "channel", "api", ""]["solved"] == solved - 1 and _rollup() == _facts_summed()
    c1.refresh_from_db()
    conversation_set_status(conversation=c1, actor=admin, status="solved")
    drain(run_due_jobs)
    day = _rollup()[PERIOD[0], "channel", "api", ""]
    assert day["solved"] == solved and day["reopened"] >= 1 and _rollup() == _facts_summed()


def test_a_rebuild_makes_the_same_rows(service_levels):
    kept = _rollup()
    DailyRollup.objects.update(conversations=99)

    assert rollup_rebuild() == len(kept)
    assert _rollup() == kept


def test_a_reassigned_conversation_moves_to_its_new_agents_row_and_their_report_reads_the_rollup(workspace, admin, run_due_jobs):
    from parley.conversations.services import conversation_assign

    ana, ben, c1 = workspace["ana"], workspace["ben"], workspace["c1"]
    scope_of = {agent: Scope(start=PERIOD[0], end=PERIOD[1], agent_id=agent.pk) for agent in (ana, ben)}
    before = {agent: scope.measures()["conversations"] for agent, scope in scope_of.items()}

    conversation_assign(conversation=c1, actor=admin, assignee=ben)
    drain(run_due_jobs)

    assert _rollup() == _facts_summed()
    after = {agent: Scope(start=PERIOD[0], end=PERIOD[1], agent_id=agent.pk) for agent in (ana, ben)}
    assert after[ana].rollup_dimension() == "agent"
    assert after[ana].measures()["conversations"] == before[ana] - 1
    assert after[ben].measures()["conversations"] == before[ben] + 1
    # What the rollup answers for an agent is what their facts add up to.
    for agent, scope in after.items():
        assert scope.measures() == filled(ConversationFact.objects.filter(
            day__gte=PERIOD[0], day__lte=PERIOD[1], assignee_id=agent.pk).aggregate(**FACT_MEASURES))


def test_tags_put_on_and_taken_off_move_the_conversation_between_tag_rows(workspace, admin, run_due_jobs):
    from parley.conversations.services import conversation_set_tags

    c1 = workspace["c1"]
    conversation_set_tags(conversation=c1, actor=admin, tags=["vip", "refund"])
    drain(run_due_jobs)

    assert _rollup() == _facts_summed()
    vip = Scope(start=PERIOD[0], end=PERIOD[1], tag="vip")
    assert vip.rollup_dimension() == "tag" and vip.measures()["conversations"] == 1

    conversation_set_tags(conversation=c1, actor=admin, tags=["refund"])
    drain(run_due_jobs)

    assert _rollup() == _facts_summed()
    assert Scope(start=PERIOD[0], end=PERIOD[1], tag="vip").measures()["conversations"] == 0
    assert Scope(start=PERIOD[0], end=PERIOD[1], tag="refund").measures()["conversations"] == 1
    assert Scope(start=PERIOD[0], end=PERIOD[1], tag="no such tag").measures()["conversations"] == 0


def test_a_filtered_chart_per_channel_and_agent_table_read_a_pair_of_dimensions_that_adds_up_as_the_facts(
        workspace, api_inbox, admin, run_due_jobs):
    from parley.accounts.services import team_create
    from parley.conversations.services import conversation_assign, conversation_set_tags

    ana, c1, c3 = workspace["ana"], workspace["c1"], workspace["c3"]
    team = team_create(name="Second line", member_ids=[ana.pk])
    conversation_assign(conversation=c1, actor=admin, assignee=ana, team=team)
    for conversation in (c1, c3):
        conversation_set_tags(conversation=conversation, actor=admin, tags=["vip"])
    drain(run_due_jobs)
    assert _rollup() == _facts_summed()

    def from_facts(filters: dict, field: str) -> list[dict]:
        rows = Scope(start=PERIOD[0], end=PERIOD[1], **filters).facts().values(field).annotate(**FACT_MEASURES)
        return sorted(({**filled(row), field: row[field] or 0} for row in rows), key=lambda row: row[field])

    for filters in ({"agent_id": ana.pk}, {"channel": "api"}, {"inbox_id": api_inbox.pk}, {"team_id": team.pk}, {"tag": "vip"}):
        for field in ("channel", "assignee_id"):
            scope = Scope(start=PERIOD[0], end=PERIOD[1], **filters)
            assert scope.rollup_dimension(field) is not None
            assert sorted(scope.measures_by(field), key=lambda row: row[field]) == from_facts(filters, field), (filters, field)
    by_channel = Scope(start=PERIOD[0], end=PERIOD[1], tag="vip").measures_by("channel")
    assert {row["channel"]: row["conversations"] for row in by_channel} == {"api": 1, "webform": 1}
    # Two filters at once are still the facts' to answer.
    assert Scope(start=PERIOD[0], end=PERIOD[1], tag="vip", team_id=team.pk).rollup_dimension("channel") is None
