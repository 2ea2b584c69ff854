"""Settings → Audit log and GET /api/v1/audit: changes made through the services, filtered, exported."""
import csv
import io

import pytest
from django.urls import reverse

from parley.accounts.models import Role
from parley.accounts.services import agent_update, api_token_create, team_create
from parley.channels.services import inbox_create

AUDIT = reverse("workspace:audit-log")


@pytest.fixture
def history(admin, agent):
    agent_update(user=agent, role=Role.SUPERVISOR, team_ids=[], actor=admin)
    team_create(name="Billing", actor=admin)
    api_token_create(user=agent, name="Zapier")
    inbox_create(name="Sales mail", kind="api")


def test_the_admin_sees_who_changed_what_and_when(client, admin, agent, history):
    client.force_login(admin)

    body = client.get(AUDIT).content.decode()

    assert "agent.role_changed" in body and "Ada Admin" in body and f"Agent: {agent.name}" in body
    assert "role: agent → supervisor" in body
    assert "team.created" in body and "Team: Billing" in body
    assert "api_token.created" in body and "API token: Zapier" in body


def test_filters_narrow_the_list(client, admin, agent, history):
    client.force_login(admin)

    by_admin = client.get(AUDIT, {"actor": admin.pk}).content.decode()
    agent_changes = client.get(AUDIT, {"action": "agent."}).content.decode()
    teams_only = client.get(AUDIT, {"target_type": "accounts.team"}).content.decode()
    future = client.get(AUDIT, {"since": "2999-01-01"}).content.decode()

    assert "team.created" in by_admin and "api_token.created" not in by_admin
    assert "agent.role_changed" in agent_changes and "team.created" not in agent_changes
    assert "team.created" in teams_only and "agent.role_changed" not in teams_only
    assert "No entry matches these filters." in future


def test_a_bad_filter_is_named(client, admin, history):
    client.force_login(admin)

    response = client.get(AUDIT, {"since": "yesterday"})

    assert response.status_code == 400 and "From: Enter a valid date." in response.content.decode()


def test_the_filtered_list_downloads_as_csv(client, admin, history):
    client.force_login(admin)

    response = client.get(AUDIT, {"action": "agent.role_changed", "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    assert rows[0] == ["when", "who", "action", "kind", "record", "changes"]
    assert [row[1:3] for row in rows[1:]] == [["Ada Admin", "agent.role_changed"]]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_only_admins_read_the_log(client, make_agent, role):
    client.force_login(make_agent(role))

    assert client.get(AUDIT).status_code == 403


def test_the_api_lists_the_same_entries_with_their_names(api_as, admin, agent, history):
    api = api_as(admin)

    response = api.get("/audit", action="agent.role_changed")

    [entry] = response.json()["items"]
    assert entry["actor"] == "Ada Admin" and entry["actor_id"] == admin.pk
    assert entry["target_type"] == "accounts.user" and entry["target_name"] == agent.name
    assert entry["changes"] == {"role": ["agent", "supervisor"]}
