"""Agents say whether they are online, away or offline; colleagues see it when assigning."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parley.accounts.models import Availability, Role
from parley.accounts.services import agent_set_availability


def test_given_an_online_agent_when_they_choose_away_with_htmx_then_the_control_shows_away(client, agent):
    agent_set_availability(user=agent, availability=Availability.ONLINE)
    client.force_login(agent)

    response = client.post(reverse("workspace:availability"), {"availability": "away", "next": "/"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    agent.refresh_from_db()
    assert response.status_code == 200
    assert agent.availability == Availability.AWAY
    assert body.startswith('<form id="availability"') and 'class="dot dot-away"' in body
    assert '<option value="away" selected>Away</option>' in body


def test_without_javascript_choosing_offline_returns_to_the_page_the_agent_was_on(client, agent, api_inbox, receive):
    conversation = receive(api_inbox, "Hi").conversation
    page = reverse("workspace:conversation", args=[conversation.pk])
    client.force_login(agent)

    response = client.post(reverse("workspace:availability"), {"availability": "offline", "next": page})

    agent.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == page
    assert agent.availability == Availability.OFFLINE


def test_a_next_address_on_another_site_is_not_followed(client, agent):
    client.force_login(agent)

    response = client.post(reverse("workspace:availability"), {"availability": "online", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain-post"])
def test_an_unknown_availability_is_refused_with_a_message_and_nothing_changes(client, agent, htmx):
    agent_set_availability(user=agent, availability=Availability.ONLINE)
    client.force_login(agent)

    response = client.post(reverse("workspace:availability"), {"availability": "sleeping"}, headers={"HX-Request": "true"} if htmx else {})

    agent.refresh_from_db()
    assert response.status_code == 422
    assert "Choose online, away or offline." in response.content.decode()
    assert agent.availability == Availability.ONLINE


def test_the_header_shows_the_agents_availability_on_every_page(client, agent):
    agent_set_availability(user=agent, availability=Availability.AWAY)
    client.force_login(agent)

    body = client.get(reverse("workspace:home")).content.decode()

    assert 'class="dot dot-away"' in body and '<option value="away" selected>Away</option>' in body


def test_the_assignee_dropdown_says_which_agents_are_online_away_or_offline(client, make_agent, agent, api_inbox, receive):
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.SUPERVISOR, name="Ben Okafor")
    agent_set_availability(user=ana, availability=Availability.ONLINE)
    agent_set_availability(user=ben, availability=Availability.AWAY)
    conversation = receive(api_inbox, "Hi").conversation
    client.force_login(agent)

    body = client.get(reverse("workspace:conversation", args=[conversation.pk])).content.decode()

    assignee = body[body.index('name="assignee"'):]
    assignee = assignee[:assignee.index("</select>")]
    assert f'<option value="{ana.pk}">Ana Lopez — Online</option>' in assignee
    assert f'<option value="{ben.pk}">Ben Okafor — Away</option>' in assignee
    assert f'<option value="{agent.pk}">Sam Agent — Offline</option>' in assignee


@pytest.mark.browser
@pytest.mark.servers
def test_in_the_browser_an_agent_is_online_after_signing_in_and_a_chosen_away_stays_after_reloading(live, page, log_in, agent):
    log_in(page, live, agent)
    expect(page.locator("#availability .dot")).to_have_class("dot dot-online")

    page.get_by_label("Your availability").select_option("away")

    expect(page.locator("#availability .dot")).to_have_class("dot dot-away")
    page.reload()
    expect(page.get_by_label("Your availability")).to_have_value("away")
    expect(page.locator("#availability .dot")).to_have_class("dot dot-away")
