"""The live view and filtered survey KPIs read what events keep current, and say what the conversations say."""
from datetime import timedelta

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from parley.analytics import selectors
from parley.analytics.kpis import KPIS, Scope
from parley.conversations.models import ACTIVE_STATUSES, Conversation, Status
from tests.analytics.conftest import drain


def _live_from_conversations() -> dict:
    """The live view's figures counted from the conversations themselves, one row each."""
    live = Conversation.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
    waiting = Q(status__in=(Status.NEW, Status.OPEN), last_inbound_at__isnull=False) & (
        Q(first_response_at__isnull=True) | Q(last_inbound_at__gt=F("first_response_at")))
    queues = list(live.values(channel=F("inbox__kind")).annotate(
        open=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True)), waiting=Count("pk", filter=waiting),
        oldest_wait=Min("last_inbound_at", filter=waiting)).order_by("channel"))
    load = dict(live.filter(assignee__isnull=False).values_list("assignee_id").annotate(n=Count("pk")))
    longest = live.filter(waiting).order_by("last_inbound_at").values_list("last_inbound_at", flat=True).first()
    return {"queues": queues, "load": load, "longest": longest}


def _live_shown() -> dict:
    shown = selectors.live_now()
    return {"queues": [{key: queue[key] for key in ("channel", "open", "unassigned", "waiting", "oldest_wait")}
                       for queue in shown["queues"]],
            "load": {agent["pk"]: agent["load"] for agent in shown["agents"] if agent["load"]},
            "longest": shown["longest"] and shown["longest"]["last_inbound_at"]}


def test_the_live_view_follows_assignments_answers_and_solving(workspace, admin, run_due_jobs):
    from parley.accounts.services import agent_set_availability
    from parley.conversations.services import conversation_assign, conversation_set_status, message_reply

    for agent in (workspace["ana"], workspace["ben"]):
        agent_set_availability(user=agent, availability="online")
    assert _live_shown() == _live_from_conversations()
    assert _live_shown()["queues"][0]["waiting"] == 2  # the shop app's c4 and c5

    c4, c5 = Conversation.objects.filter(inbox__kind="api", first_response_at__isnull=True).order_by("pk")
    conversation_assign(conversation=c4, actor=admin, assignee=workspace["ben"])
    message_reply(conversation=c5, author=workspace["ana"], text="On it")
    conversation_set_status(conversation=Conversation.objects.get(pk=workspace["c3"].pk), actor=admin, status=Status.SOLVED)
    drain(run_due_jobs)

    shown = _live_shown()
    assert shown == _live_from_conversations()
    assert shown["queues"][0]["waiting"] == 1 and shown["load"][workspace["ben"].pk] == 1


def _answer(conversation, score: int, kind: str = "csat"):
    from parley.surveys.models import Survey
    from parley.surveys.services import survey_answer

    survey = Survey.objects.create(kind=kind, contact=conversation.contact, conversation=conversation, question="How did we do?",
                                   channel=conversation.inbox.kind, sent_at=timezone.now())
    return survey_answer(survey=survey, score=score)


def _survey_kpis_joined(scope: Scope) -> dict:
    """The survey KPIs as each answer joined to its conversation says they are."""
    from parley.surveys.models import Survey
    from parley.surveys.scores import nps

    start, end = scope.bounds()
    answers = {kind: scope.narrow(Survey.objects.filter(kind=kind, answered_at__gte=start, answered_at__lt=end),
                                  ("conversation__inbox_id", "conversation__inbox__kind", "conversation__team_id",
                                   "conversation__assignee_id", "conversation__tags__name")) for kind in ("csat", "nps")}
    csat = answers["csat"].aggregate(all=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
    return {"csat": round(100 * csat["good"] / csat["all"], 1) if csat["all"] else None,
            "nps": nps(list(answers["nps"].values_list("score", flat=True)))}


def test_filtered_survey_kpis_follow_the_conversation_an_answer_is_about(workspace, api_inbox, admin, run_due_jobs):
    from parley.accounts.services import team_create
    from parley.conversations.services import conversation_assign, conversation_set_tags

    ana, ben, c1, c2, c3 = (workspace[key] for key in ("ana", "ben", "c1", "c2", "c3"))
    team = team_create(name="Second line", member_ids=[ana.pk, ben.pk])
    conversation_set_tags(conversation=c1, actor=admin, tags=["vip"])
    _answer(c1, 5), _answer(c2, 2), _answer(c3, 4), _answer(c2, 9, kind="nps")
    drain(run_due_jobs)
    today = timezone.localdate()

    def scopes() -> list[Scope]:
        return [Scope(start=today - timedelta(days=1), end=today, **filters) for filters in (
            {}, {"agent_id": ana.pk}, {"agent_id": ben.pk}, {"channel": "api"}, {"inbox_id": api_inbox.pk},
            {"team_id": team.pk}, {"tag": "vip"}, {"agent_id": ben.pk, "channel": "api"})]

    def shown(scope: Scope) -> dict:
        return {key: KPIS[key].compute(scope) for key in ("csat", "nps")}

    assert [shown(scope) for scope in scopes()] == [_survey_kpis_joined(scope) for scope in scopes()]
    assert shown(scopes()[1])["csat"] == 100.0  # Ana's c1 and c3

    conversation_assign(conversation=c1, actor=admin, assignee=ben, team=team)
    drain(run_due_jobs)

    assert [shown(scope) for scope in scopes()] == [_survey_kpis_joined(scope) for scope in scopes()]
    assert (shown(scopes()[2])["csat"], shown(scopes()[5])["csat"]) == (50.0, 100.0)
    drilled = KPIS["csat"].drill(scopes()[2])
    assert set(drilled.values_list("pk", flat=True)) == {c1.pk, c2.pk}
