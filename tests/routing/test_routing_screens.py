"""Settings → Routing and Settings → Calendars, through the Django test client."""
import pytest
from django.test import Client

from parley.accounts.models import Availability
from parley.accounts.services import agent_set_availability
from parley.routing.models import AgentRouting, BusinessCalendar, Holiday, RoutingPolicy, Skill, Strategy


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_agents_may_not_open_routing_settings(crew):
    assert signed_in(crew[0]).get("/settings/routing/").status_code == 403


def test_a_supervisor_sets_a_teams_routing(supervisor, support):
    page = signed_in(supervisor)

    response = page.post(f"/settings/routing/team/{support.pk}/", {"strategy": "round_robin", "idle_reassign_minutes": "45"})

    assert response.status_code == 302
    policy = RoutingPolicy.objects.get(team=support)
    assert (policy.strategy, policy.idle_reassign_minutes) == (Strategy.ROUND_ROBIN, 45)
    assert "Routing of Support saved." in page.get(response.url).content.decode()


def test_an_unknown_strategy_is_shown_and_nothing_changes(supervisor, support):
    response = signed_in(supervisor).post(f"/settings/routing/team/{support.pk}/", {"strategy": "lottery"})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not RoutingPolicy.objects.exists()


def test_the_queue_shows_what_waits_and_why_with_a_chart(supervisor, policy, crew, write_in):
    policy(Strategy.LEAST_LOADED)
    for agent in crew:
        agent_set_availability(user=agent, availability=Availability.OFFLINE)
    waiting = [write_in(f"Question {n}") for n in range(3)]

    html = signed_in(supervisor).get("/settings/routing/").content.decode()

    assert all(f"#{c.pk} " in html for c in waiting)
    assert html.count("no agent is online") == 3
    assert '<span class="bar-label">Support</span>' in html and '<span class="bar-value">3</span>' in html


def test_why_a_conversation_waits_is_stored_once_and_shown_in_each_readers_language(supervisor, policy, crew, write_in):
    policy(Strategy.LEAST_LOADED)
    for agent in crew:
        agent_set_availability(user=agent, availability=Availability.OFFLINE)
    write_in("Question")

    german = signed_in(supervisor).get("/settings/routing/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    spanish = signed_in(supervisor).get("/settings/routing/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "<td>kein Agent ist online</td>" in german and "<td>ningún agente está en línea</td>" in spanish


def test_skills_and_capacity_per_channel_are_saved_for_an_agent(supervisor, crew):
    page = signed_in(supervisor)
    assert page.post("/settings/routing/skills/", {"name": "French"}).status_code == 302
    skill_id = Skill.objects.get(name="french").pk

    response = page.post(f"/settings/routing/agents/{crew[0].pk}/", {"skills": [skill_id], "default_capacity": "8",
                                                                      "capacity_api": "3", "capacity_email": ""})

    assert response.status_code == 302
    profile = AgentRouting.objects.get(agent=crew[0])
    assert (profile.capacity, profile.default_capacity, [s.name for s in profile.skills.all()]) == ({"api": 3}, 8, ["french"])
    assert "french" in page.get("/settings/routing/").content.decode()


def test_a_calendar_is_created_with_hours_per_day_and_a_yearly_holiday(supervisor):
    page = signed_in(supervisor)

    response = page.post("/settings/calendars/new/", {"name": "Lisbon office", "time_zone": "Europe/Lisbon",
                                                      "mon": "09:00-12:30, 13:30-18:00", "fri": "09:00-15:00"})
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours == {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "fri": [["09:00", "15:00"]]}
    page.post(f"/settings/calendars/{calendar.pk}/holidays/", {"day": "2026-06-13", "name": "Santo António", "yearly": "on"})

    html = page.get(f"/settings/calendars/{calendar.pk}/").content.decode()
    assert "13 June every year Santo António" in html
    assert Holiday.objects.get().yearly


def test_bad_hours_are_shown_next_to_the_day_and_nothing_is_stored(supervisor):
    response = signed_in(supervisor).post("/settings/calendars/new/", {"name": "Night", "time_zone": "UTC",
                                                                       "tue": "9am-5pm", "wed": "18:00-08:00"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "“9am-5pm” is not a range like 09:00-17:00." in html
    assert not BusinessCalendar.objects.exists()
