"""Settings → SLAs and the due times agents see, through the Django test client."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts.services import team_create
from parley.sla import services
from parley.sla.models import EscalationStep, SlaPolicy


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_creates_a_policy_for_urgent_email_in_business_hours(lead, office, on_commit):
    with on_commit():
        response = signed_in(lead).post("/settings/sla/new/", {
            "name": "Urgent mail", "position": "0", "is_active": "on", "priorities": ["urgent"], "channel_kinds": ["email"],
            "tags": "vip, Outage", "calendar": office.pk, "first_response_minutes": "30", "periodic_update_minutes": "60",
            "warn_before_minutes": "10", "escalate_on_breach": "on"})

    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.priorities, policy.channel_kinds, policy.tags, policy.calendar) == (["urgent"], ["email"], ["outage", "vip"], office)
    assert policy.target_minutes() == {"first_response": 30, "periodic_update": 60}


def test_a_policy_without_targets_is_refused_with_the_reason(lead):
    response = signed_in(lead).post("/settings/sla/new/", {"name": "Nothing", "position": "0", "warn_before_minutes": "15"})

    assert response.status_code == 422
    assert "set at least one target" in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_agents_may_not_change_slas(agent):
    assert signed_in(agent).get("/settings/sla/").status_code == 403


def test_an_escalation_path_is_set_and_listed(lead, first_line):
    second = team_create(name="Second line")
    page = signed_in(lead)

    response = page.post("/settings/sla/escalation/", {"team": first_line.pk, "tier": "2", "handled_by": second.pk,
                                                       "required_fields": "order_number, device", "procedure": "Attach logs."})

    assert response.status_code == 302
    assert EscalationStep.objects.get().required_fields == ["device", "order_number"]
    assert "device, order_number" in page.get("/settings/sla/").content.decode()


def test_due_times_show_in_the_list_sorted_soonest_first_and_on_the_conversation(lead, write_in, on_commit):
    with on_commit():
        services.sla_policy_save(actor=lead, name="Standard", first_response_minutes=60)
    now = timezone.now()
    later = write_in(now - timedelta(minutes=5), "Later")
    sooner = write_in(now - timedelta(minutes=50), "Sooner")
    overdue = write_in(now - timedelta(minutes=90), "Overdue")
    page = signed_in(lead)

    html = page.get("/", {"sort": "due"}).content.decode()

    assert html.index(f'id="row-{overdue.pk}"') < html.index(f'id="row-{sooner.pk}"') < html.index(f'id="row-{later.pk}"')
    # Whole minutes, rounded down: the page renders a moment after the conversations came in.
    assert re.search(r"overdue 30 min", html) and re.search(r"due in (9|10) min", html)
    detail = page.get(f"/c/{later.pk}/").content.decode()
    assert "SLA Standard" in detail and re.search(r"First response due in 5\d min", detail)


def test_the_escalate_action_follows_the_path_and_says_what_is_missing(lead, agent, first_line, write_in):
    second = team_create(name="Second line")
    services.escalation_step_save(actor=lead, team=first_line, tier=2, handled_by=second, required_fields=["serial"],
                                  procedure="Attach the device logs.")
    conversation = write_in(timezone.now(), "Broken again")
    page = signed_in(agent)

    panel = page.get(f"/c/{conversation.pk}/").content.decode()
    assert "Tier 2 is handled by Second line. Fill in first: serial. Attach the device logs." in panel
    refused = page.post(f"/c/{conversation.pk}/escalate/", {"reason": "needs an engineer"})
    assert refused.status_code == 422
    assert "Fill in serial before escalating to tier 2." in refused.content.decode()

    conversation.custom_fields = {"serial": "SN-1"}
    conversation.save()
    assert page.post(f"/c/{conversation.pk}/escalate/", {"reason": "needs an engineer"}).status_code == 302
    conversation.refresh_from_db()
    assert (conversation.tier, conversation.team) == (2, second)


def test_the_calendar_page_shows_how_far_recomputing_due_times_has_come(lead, office, write_in, on_commit):
    from parley.routing.services import holiday_add

    with on_commit():
        services.sla_policy_save(actor=lead, name="Standard", calendar=office, first_response_minutes=60)
    write_in(timezone.now(), "One")
    write_in(timezone.now(), "Two")

    with on_commit():
        holiday_add(calendar=office, actor=lead, day=timezone.now().date() + timedelta(days=3), name="Bridge day")

    office.refresh_from_db()
    assert (office.recompute_done, office.recompute_total) == (2, 2)
    html = signed_in(lead).get(f"/settings/calendars/{office.pk}/").content.decode()
    assert "SLA due times recomputed after the last change: 2 open conversations." in html


def test_a_spanish_supervisor_is_told_in_spanish_that_the_policy_is_not_valid(lead):
    client = signed_in(lead)

    response = client.post("/settings/sla/new/", {"name": "Nothing", "position": "0", "warn_before_minutes": "15"},
                           HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 422 and "La política de SLA no es válida." in response.content.decode()
