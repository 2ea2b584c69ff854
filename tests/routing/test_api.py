"""The routing and SLA API: calendars, the queue, policies and a conversation's due times; bad input says why."""
from parley.accounts.models import Availability
from parley.accounts.services import agent_set_availability
from parley.routing.models import BusinessCalendar, Strategy


def test_a_calendar_with_overlapping_hours_is_refused_with_the_reason(api_as, supervisor):
    api = api_as(supervisor)

    response = api.post("/routing/calendars", {"name": "Office", "time_zone": "Europe/Paris",
                                               "hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}})

    assert response.status_code == 422
    assert response.json()["extra"] == {"hours": "mon: opening hours overlap"}
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_is_created_and_listed(api_as, supervisor):
    api = api_as(supervisor)
    created = api.post("/routing/calendars", {"name": "Office", "time_zone": "Europe/Paris",
                                              "hours": {"mon": [["09:00", "17:00"]]}})
    assert created.status_code == 201
    assert [c["name"] for c in api.get("/routing/calendars").json()["items"]] == ["Office"]


def test_the_queue_lists_waiting_conversations_with_the_reason(api_as, supervisor, policy, crew, write_in):
    policy(Strategy.ROUND_ROBIN)
    for agent in crew:
        agent_set_availability(user=agent, availability=Availability.OFFLINE)
    conversation = write_in()

    items = api_as(supervisor).get("/routing/queue").json()["items"]

    assert [(i["conversation_id"], i["reason"]) for i in items] == [(conversation.pk, "no agent is online")]


def test_sla_policies_and_a_conversations_due_times(api_as, supervisor, write_in, on_commit):
    api = api_as(supervisor)
    with on_commit():
        refused = api.post("/sla/policies", {"name": "Standard", "priorities": ["asap"]})
        created = api.post("/sla/policies", {"name": "Standard", "first_response_minutes": 60})
    assert refused.status_code == 422 and set(refused.json()["extra"]) == {"targets", "priorities"}
    assert created.status_code == 201
    conversation = write_in()

    sla = api.get(f"/conversations/{conversation.pk}/sla").json()

    assert sla["policy"] == "Standard" and sla["first_response_due_at"] and sla["next_due_at"] == sla["first_response_due_at"]


def test_a_german_client_is_told_in_german_what_is_wrong_with_the_hours_while_the_extra_stays_english(api_as, supervisor):
    api = api_as(supervisor)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"

    response = api.post("/routing/calendars", {"name": "Office", "time_zone": "Europe/Paris",
                                               "hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}})

    assert response.status_code == 422
    assert response.json() == {"message": "Die Öffnungszeiten sind ungültig: mon: Öffnungszeiten überschneiden sich.",
                               "extra": {"hours": "mon: opening hours overlap"}}
