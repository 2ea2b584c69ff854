"""Routing and SLA settings in headless Chromium against a real server, and what agents then see."""
import httpx
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Availability, Role
from parley.accounts.services import agent_set_availability, api_token_create, team_create
from parley.channels.services import inbox_create
from parley.routing.models import BusinessCalendar, Holiday, RoutingPolicy
from parley.sla.services import sla_policy_save

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_a_supervisor_sets_up_a_calendar_and_a_teams_routing(live, page, make_agent, log_in):
    supervisor = make_agent(Role.SUPERVISOR, name="Sue Lead")
    team_create(name="Billing")
    log_in(page, live, supervisor)

    page.get_by_role("link", name="Settings → Calendars").click()
    page.get_by_role("link", name="New calendar").click()
    page.get_by_label("Name").fill("Lisbon office")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("Monday").fill("09:00-12:30, 13:30-18:00")
    page.get_by_label("Tuesday").fill("9 to 5")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.locator(".alert-error")).to_contain_text("Tuesday: “9 to 5” is not a range like 09:00-17:00.")
    page.get_by_label("Tuesday").fill("09:00-17:00")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.get_by_role("status")).to_contain_text("The calendar “Lisbon office” was saved")
    page.get_by_label("Date").fill("2026-12-25")
    page.get_by_label("Every year").check()
    page.get_by_role("button", name="Add holiday").click()
    expect(page.get_by_label("Holidays")).to_contain_text("25 December every year")

    page.get_by_role("link", name="Settings → Routing").click()
    billing = page.get_by_role("form", name="Routing of Billing")
    billing.get_by_label("Strategy").select_option(label="Round robin")
    billing.get_by_label("Business hours").select_option(label="Lisbon office")
    billing.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Routing of Billing saved.")

    calendar = BusinessCalendar.objects.get()
    assert calendar.hours == {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], "tue": [["09:00", "17:00"]]}
    assert Holiday.objects.get().yearly
    policy = RoutingPolicy.objects.get(team__name="Billing")
    assert (policy.strategy, policy.calendar) == ("round_robin", calendar)


def test_a_message_over_the_api_is_assigned_by_round_robin_and_shows_its_due_time(live, page, make_agent, admin, log_in):
    from parley.routing.services import routing_policy_save

    ana = make_agent(Role.AGENT, name="Ana Alpha")
    agent_set_availability(user=ana, availability=Availability.ONLINE)
    team = team_create(name="Support", member_ids=[ana.pk])
    inbox = inbox_create(name="Shop app", kind="api", default_team=team)
    routing_policy_save(actor=admin, team=team, strategy="round_robin")
    sla_policy_save(actor=admin, name="Standard", first_response_minutes=120)
    _, token = api_token_create(user=admin, name="shop backend")

    response = httpx.post(f"{live}/api/v1/inboxes/{inbox.pk}/messages", headers={"Authorization": f"Bearer {token}"},
                          json={"contact": {"source_id": "shop-7", "name": "Nia Noor"}, "text": "Where is my order?",
                                "idempotency_key": "order-7"})
    assert response.status_code == 202, response.text

    log_in(page, live, ana)
    page.goto(f"{live}/?view=mine&sort=due")
    row = page.locator(".rows .row").first
    expect(row).to_contain_text("Where is my order?")
    expect(row.locator(".chip.sla")).to_have_text("due in 1 h")
    row.get_by_role("link").click()
    expect(page.locator("#timeline")).to_contain_text("rule 'Routing: Support' assigned this to Ana Alpha in Support.")
    expect(page.locator(".sla-due")).to_contain_text("First response due in 1 h")
