"""Availability follows activity: an idle agent becomes away and routing passes them by until they are back."""
from datetime import timedelta

from django.utils import timezone

from parley.accounts.models import Availability, User
from parley.accounts.services import (
    agent_record_activity, agent_set_availability, agents_mark_idle_away, availability_rules_update,
)
from parley.routing.models import Strategy


def _last_active(agent, minutes_ago: int) -> None:
    User.objects.filter(pk=agent.pk).update(last_active_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_an_agent_idle_longer_than_the_rules_allow_is_away_and_gets_no_new_conversation(policy, crew, admin, write_in):
    policy(Strategy.ROUND_ROBIN)
    availability_rules_update(actor=admin, away_after_minutes=10, offline_when_tabs_closed=True)
    _last_active(crew[0], 11)
    for agent in crew[1:]:
        _last_active(agent, 2)

    assert agents_mark_idle_away() == 1
    assignees = [write_in().assignee for _ in range(2)]

    crew[0].refresh_from_db()
    assert (crew[0].availability, crew[0].idle_away) == (Availability.AWAY, True)
    assert assignees == [crew[1], crew[2]]


def test_the_next_activity_of_an_idle_agent_brings_them_online_and_the_waiting_conversation_to_them(policy, crew, write_in, on_commit):
    policy(Strategy.ROUND_ROBIN)
    for agent in crew:
        _last_active(agent, 30)
    agents_mark_idle_away()
    waiting = write_in()
    assert waiting.assignee is None

    with on_commit():
        agent_record_activity(user_id=crew[1].pk)

    waiting.refresh_from_db()
    crew[1].refresh_from_db()
    assert crew[1].availability == Availability.ONLINE and not crew[1].idle_away
    assert waiting.assignee == crew[1]


def test_an_agent_who_chose_away_stays_away_when_they_move(crew):
    agent_set_availability(user=crew[0], availability=Availability.AWAY)

    agent_record_activity(user_id=crew[0].pk)

    crew[0].refresh_from_db()
    assert crew[0].availability == Availability.AWAY


def test_with_zero_minutes_nobody_becomes_away(crew, admin):
    availability_rules_update(actor=admin, away_after_minutes=0, offline_when_tabs_closed=True)
    _last_active(crew[0], 600)

    assert agents_mark_idle_away() == 0
    crew[0].refresh_from_db()
    assert crew[0].availability == Availability.ONLINE
