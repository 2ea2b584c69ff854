"""Team scoping (Settings → Security): agents and light agents see only their teams' conversations and those assigned
to them, in the list, search, counts, the conversation page, the customer page, attachments and the API."""
import base64

import pytest
from django.urls import reverse

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.channels.base import InboundAttachment
from parley.conversations.services import conversation_assign

HOME = reverse("workspace:home")


@pytest.fixture
def desk(admin, agent, make_agent, api_inbox, receive):
    """Sam is in Support. One conversation each: Support's, Billing's, assigned to Sam without a team, and nobody's."""
    support = team_create(name="Support", member_ids=[agent.pk])
    billing = team_create(name="Billing", member_ids=[make_agent(Role.AGENT, name="Bea Billing").pk])
    ours = receive(api_inbox, "Printer jams again", source_id="c1", name="Rita Ruiz").conversation
    theirs = receive(api_inbox, "Refund my invoice 99", source_id="c2", name="Otto Owens",
                     attachments=(InboundAttachment("refund.pdf", "application/pdf", b"%PDF refund"),)).conversation
    assigned = receive(api_inbox, "Call me back", source_id="c3", name="Ali Aziz").conversation
    nobody = receive(api_inbox, "Hello?", source_id="c4", name="Nia Novak").conversation
    conversation_assign(conversation=ours, actor=admin, team=support)
    conversation_assign(conversation=theirs, actor=admin, team=billing)
    conversation_assign(conversation=assigned, actor=admin, assignee=agent)
    return {"ours": ours, "theirs": theirs, "assigned": assigned, "nobody": nobody}


def scoping_on(client, admin):
    client.force_login(admin)
    response = client.post(reverse("workspace:security-settings"), {"team_scoping": "on", "session_hours": ""})
    assert response.status_code == 302


def numbers(body: str) -> set[int]:
    import re

    return {int(n) for n in re.findall(r'<span class="number">#(\d+)</span>', body)}


def test_an_agent_sees_only_their_teams_and_their_own_conversations(client, admin, agent, desk):
    scoping_on(client, admin)
    client.force_login(agent)

    listed = numbers(client.get(HOME, {"view": "all", "status": "any"}).content.decode())
    searched = numbers(client.get(HOME, {"view": "all", "q": "refund"}).content.decode())
    other_team = client.get(reverse("workspace:conversation", args=[desk["theirs"].pk]))
    own_team = client.get(reverse("workspace:conversation", args=[desk["ours"].pk]))
    attachment = desk["theirs"].messages.get(attachments__isnull=False).attachments.get()
    download = client.get(reverse("workspace:attachment", args=[attachment.pk]))
    otto = client.get(reverse("workspace:customer", args=[desk["theirs"].contact_id])).content.decode()

    assert listed == {desk["ours"].pk, desk["assigned"].pk}
    assert searched == set()
    assert other_team.status_code == 404 and own_team.status_code == 200
    assert download.status_code == 404
    assert "Refund my invoice" not in otto


def test_the_api_answers_the_same(api_as, client, admin, agent, desk):
    scoping_on(client, admin)
    api = api_as(agent)

    listed = {c["id"] for c in api.get("/conversations").json()["items"]}
    hidden = api.get(f"/conversations/{desk['theirs'].pk}")
    hidden_messages = api.get(f"/conversations/{desk['theirs'].pk}/messages")
    merge_hidden = api.post(f"/conversations/{desk['ours'].pk}/merge", {"merge_id": desk["theirs"].pk})

    assert listed == {desk["ours"].pk, desk["assigned"].pk}
    assert hidden.status_code == 404 and hidden_messages.status_code == 404
    assert merge_hidden.status_code == 422 and merge_hidden.json()["extra"] == {"merge_id": "no such conversation"}


def test_supervisors_still_see_everything_and_turning_it_off_restores_the_view(client, admin, agent, make_agent, desk):
    scoping_on(client, admin)
    client.force_login(make_agent(Role.SUPERVISOR))
    supervisor_sees = numbers(client.get(HOME, {"view": "all", "status": "any"}).content.decode())
    client.force_login(admin)
    client.post(reverse("workspace:security-settings"), {"session_hours": ""})
    client.force_login(agent)

    agent_sees = numbers(client.get(HOME, {"view": "all", "status": "any"}).content.decode())

    everything = {c.pk for c in desk.values()}
    assert supervisor_sees == everything and agent_sees == everything
