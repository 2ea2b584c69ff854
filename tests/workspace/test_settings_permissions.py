"""Each Settings action × each role with the Django test client: allowed roles get the screen or the change,
the others get 403 and nothing changes."""
import pytest

from parley.accounts.models import AvailabilityRules, Role, Team, User
from parley.accounts.permissions import ACTIONS
from parley.accounts.services import agent_invite
from parley.conversations.models import CustomField, CustomStatus, Status, Tag

ROLES = [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT]


@pytest.fixture
def world(db, make_agent, admin):
    """An invited agent, a deactivated one, a plain one and a team, owned by an admin."""
    invited = agent_invite(email="new@example.test", name="New", role="agent", actor=admin)
    deactivated = make_agent(Role.AGENT)
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    return {"agent": make_agent(Role.AGENT), "invited": invited, "deactivated": deactivated,
            "team": Team.objects.create(name="Support"), "tag": Tag.objects.create(name="vip"),
            "status": CustomStatus.objects.create(name="Waiting on vendor", category=Status.PENDING),
            "field": CustomField.objects.create(key="reason", label="Reason")}


#: (permission, method, url, form data, what the world looks like when the change was made).
SETTINGS_ACTIONS = [
    ("agent.manage", "get", "/settings/agents/", {}, None),
    ("agent.manage", "post", "/settings/agents/", {"name": "Zoe", "email": "zoe@example.test", "role": "agent"},
     lambda w: User.objects.filter(email="zoe@example.test").exists()),
    ("agent.manage", "get", "/settings/agents/{agent}/", {}, None),
    ("agent.manage", "post", "/settings/agents/{agent}/", {"role": "supervisor"},
     lambda w: User.objects.get(pk=w["agent"].pk).role == Role.SUPERVISOR),
    ("agent.manage", "post", "/settings/agents/{agent}/deactivate/", {},
     lambda w: not User.objects.get(pk=w["agent"].pk).is_active),
    ("agent.manage", "post", "/settings/agents/{deactivated}/reactivate/", {},
     lambda w: User.objects.get(pk=w["deactivated"].pk).is_active),
    ("agent.manage", "post", "/settings/agents/{invited}/resend-invite/", {}, None),
    ("agent.manage", "get", "/settings/availability/", {}, None),
    ("agent.manage", "post", "/settings/availability/", {"away_after_minutes": "3"},
     lambda w: AvailabilityRules.objects.filter(away_after_minutes=3).exists()),
    ("team.manage", "get", "/settings/teams/", {}, None),
    ("team.manage", "post", "/settings/teams/", {"name": "Billing"}, lambda w: Team.objects.filter(name="Billing").exists()),
    ("team.manage", "get", "/settings/teams/{team}/", {}, None),
    ("team.manage", "post", "/settings/teams/{team}/", {"name": "Front line"},
     lambda w: Team.objects.filter(name="Front line").exists()),
    ("team.manage", "post", "/settings/teams/{team}/delete/", {}, lambda w: not Team.objects.exists()),
    ("inbox.manage", "get", "/settings/inboxes/", {}, None),
    ("tag.manage", "get", "/settings/tags/", {}, None),
    ("tag.manage", "post", "/settings/tags/", {"name": "refund"}, lambda w: Tag.objects.filter(name="refund").exists()),
    ("tag.manage", "post", "/settings/tags/{tag}/", {"name": "vip", "archived": "on"},
     lambda w: Tag.objects.get(pk=w["tag"].pk).archived),
    ("tag.manage", "get", "/settings/statuses/", {}, None),
    ("tag.manage", "post", "/settings/statuses/", {"name": "On hold", "category": "open"},
     lambda w: CustomStatus.objects.filter(name="On hold").exists()),
    ("tag.manage", "post", "/settings/statuses/{status}/", {"name": "Vendor", "category": "pending"},
     lambda w: CustomStatus.objects.filter(name="Vendor").exists()),
    ("tag.manage", "post", "/settings/statuses/{status}/move/", {"step": "1"}, None),
    ("tag.manage", "get", "/settings/fields/", {}, None),
    ("tag.manage", "post", "/settings/fields/", {"label": "Order", "key": "order", "kind": "text"},
     lambda w: CustomField.objects.filter(key="order").exists()),
    ("tag.manage", "post", "/settings/fields/{field}/", {"label": "Why", "required_to_solve": "on"},
     lambda w: CustomField.objects.get(pk=w["field"].pk).required_to_solve),
    ("tag.manage", "post", "/settings/fields/{field}/move/", {"step": "-1"}, None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission,method,url,data,changed", SETTINGS_ACTIONS,
                         ids=[f"{m} {u}" for _, m, u, _, _ in SETTINGS_ACTIONS])
def test_each_settings_action_for_each_role(client, make_agent, world, role, permission, method, url, data, changed):
    client.force_login(make_agent(role))
    path = url.format(**{name: getattr(thing, "pk", thing) for name, thing in world.items()})

    response = getattr(client, method)(path, data)

    if role in ACTIONS[permission]:
        assert response.status_code in (200, 302), response.content.decode()[:500]
        if changed:
            assert changed(world)
    else:
        assert response.status_code == 403
        assert "Only admins" in response.content.decode()
        if changed:
            assert not changed(world)


@pytest.mark.parametrize("role", ROLES)
def test_the_sidebar_lists_the_settings_screens_the_role_may_use(client, make_agent, db, role):
    client.force_login(make_agent(role))

    page = client.get("/").content.decode()

    assert ("Settings → Agents" in page) == (role in ACTIONS["agent.manage"])
    assert ("Settings → Teams" in page) == (role in ACTIONS["team.manage"])
    assert ("Settings → Fields" in page) == (role in ACTIONS["tag.manage"])


def test_a_refused_page_and_a_missing_page_are_styled_and_lead_back(client, make_agent, db):
    client.force_login(make_agent(Role.AGENT))

    refused = client.get("/settings/agents/")
    missing = client.get("/c/999999/")
    missing_in_portal = client.get("/portal/no-such-page/")

    assert refused.status_code == 403 and "Only admins manage agents." in refused.content.decode()
    assert missing.status_code == 404 and "/c/999999/" in missing.content.decode()
    for response in (refused, missing):
        assert 'href="/">← Back to the workspace' in response.content.decode()
        assert "favicon.svg" in response.content.decode()
    assert 'href="/portal/">← Back to the help center' in missing_in_portal.content.decode()
