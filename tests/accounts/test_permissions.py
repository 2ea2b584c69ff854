"""Every role × every action in the permission table, checked through the API (or, for actions with a screen
and no API, through their service): allowed roles succeed, others are refused."""
from dataclasses import dataclass

import pytest

from parley.accounts.models import Role, Team
from parley.accounts.permissions import ACTIONS
from parley.accounts.services import team_create
from parley.bot.services import bot_settings_update
from parley.channels.base import InboundMessage
from parley.channels.models import Inbox
from parley.channels.services import inbox_create
from parley.community.services import topic_create
from parley.contacts.models import Contact
from parley.conversations.models import Conversation
from parley.conversations.services import conversation_create, message_receive
from parley.core.errors import PermissionDenied
from parley.knowledge.services import category_create


@dataclass
class World:
    conversation: Conversation
    #: A second conversation of the same customer (conversations merge only within one customer).
    other_conversation: Conversation
    contact: Contact
    other_contact: Contact
    idle_contact: Contact
    inbox_id: int
    team: Team
    inbox: Inbox


@pytest.fixture
def world(db, agent):
    inbox = inbox_create(name="Shop app", kind="api")

    def receive(source_id: str) -> Conversation:
        inbound = InboundMessage(external_id=f"m-{source_id}", identity_kind="external_id", source_id=source_id, text="Help")
        return message_receive(inbox=inbox, inbound=inbound).conversation

    first, second = receive("a"), receive("b")
    same_customer = conversation_create(inbox=inbox, contact=first.contact, subject="Another matter")
    return World(conversation=first, other_conversation=same_customer, contact=first.contact, other_contact=second.contact,
                 idle_contact=Contact.objects.create(name="Idle"), inbox_id=inbox.pk, team=team_create(name="Support"),
                 inbox=inbox)


#: action -> how the API attempts it. Every action in permissions.ACTIONS must be here.
ATTEMPTS = {
    "conversation.view": lambda api, w: api.get(f"/conversations/{w.conversation.pk}"),
    "conversation.note": lambda api, w: api.post(f"/conversations/{w.conversation.pk}/messages", {"kind": "note", "text": "fyi"}),
    "conversation.reply": lambda api, w: api.post(f"/conversations/{w.conversation.pk}/messages", {"kind": "reply", "text": "Hi"}),
    "conversation.update": lambda api, w: api.patch(f"/conversations/{w.conversation.pk}", {"priority": "high"}),
    "conversation.assign": lambda api, w: api.post(f"/conversations/{w.conversation.pk}/assign", {"team_id": w.team.pk}),
    "conversation.merge": lambda api, w: api.post(f"/conversations/{w.conversation.pk}/merge", {"merge_id": w.other_conversation.pk}),
    "conversation.delete": lambda api, w: api.delete(f"/conversations/{w.conversation.pk}"),
    "contact.view": lambda api, w: api.get(f"/contacts/{w.contact.pk}"),
    "contact.edit": lambda api, w: api.patch(f"/contacts/{w.contact.pk}", {"name": "Renamed"}),
    "contact.merge": lambda api, w: api.post(f"/contacts/{w.contact.pk}/merge", {"merge_id": w.other_contact.pk}),
    "contact.delete": lambda api, w: api.delete(f"/contacts/{w.idle_contact.pk}"),
    "inbox.manage": lambda api, w: api.post("/inboxes", {"name": "Another", "kind": "api"}),
    "team.manage": lambda api, w: api.post("/teams", {"name": "Billing"}),
    "agent.manage": lambda api, w: api.post("/agents", {"email": "new@example.test", "name": "New"}),
    "tag.manage": lambda api, w: api.post("/tags", {"name": "vip"}),
    "envelope.view": lambda api, w: api.get(f"/inboxes/{w.inbox_id}/envelopes"),
    "job.manage": lambda api, w: api.get("/jobs/failed"),
    "automation.manage": lambda api, w: api.get("/rules"),
    "webhook.manage": lambda api, w: api.get("/webhooks"),
    "routing.manage": lambda api, w: api.post("/routing/calendars", {"name": "Office", "hours": {"mon": [["09:00", "17:00"]]}}),
    "sla.manage": lambda api, w: api.post("/sla/policies", {"name": "Standard", "first_response_minutes": 60}),
    "inbound.post": lambda api, w: api.post(f"/inboxes/{w.inbox_id}/messages", {"contact": {"source_id": "z"}, "text": "Hi",
                                                                                "idempotency_key": "perm-1"}),
    "survey.manage": lambda api, w: api.patch("/surveys/settings", {"throttle_days": 14}),
    "report.view": lambda api, w: api.get("/reports/kpis"),
    "security.manage": lambda api, w: api.put("/security", {"two_factor_roles": [], "session_hours": 12}),
    "audit.view": lambda api, w: api.get("/audit", action="agent."),
    "contact.export": lambda api, w: api.post(f"/contacts/{w.contact.pk}/exports"),
    "contact.erase": lambda api, w: api.post(f"/contacts/{w.idle_contact.pk}/erase", {"confirm": "ERASE"}),
}


#: Actions with a workspace screen but no API: their services are called as the role.
SERVICE_ATTEMPTS = {
    "knowledge.edit": lambda user, w: category_create(name="Billing", actor=user),
    "bot.manage": lambda user, w: bot_settings_update(inbox=w.inbox, actor=user, enabled=True, threshold=0.4,
                                                      handover_phrases="agent", max_unhelpful=2, locale="en"),
    "community.moderate": lambda user, w: topic_create(name="Printers", actor=user),
}


def test_every_action_in_the_permission_table_is_checked_here():
    assert set(ATTEMPTS) | set(SERVICE_ATTEMPTS) == set(ACTIONS)
    assert not set(ATTEMPTS) & set(SERVICE_ATTEMPTS)


@pytest.mark.parametrize("action", sorted(SERVICE_ATTEMPTS))
@pytest.mark.parametrize("role", Role.values)
def test_a_role_may_use_exactly_the_screens_the_table_gives_it(make_agent, world, role, action):
    user = make_agent(role)

    if role in ACTIONS[action]:
        SERVICE_ATTEMPTS[action](user, world)
    else:
        with pytest.raises(PermissionDenied):
            SERVICE_ATTEMPTS[action](user, world)


@pytest.mark.parametrize("action", sorted(ATTEMPTS))
@pytest.mark.parametrize("role", Role.values)
def test_a_role_may_do_exactly_the_actions_the_table_gives_it(api_as, make_agent, world, role, action):
    api = api_as(make_agent(role))

    response = ATTEMPTS[action](api, world)

    if role in ACTIONS[action]:
        assert response.status_code < 300, (role, action, response.json())
    else:
        assert response.status_code == 403, (role, action, response.status_code)
        assert action in response.json()["message"]


def test_light_agents_read_everything_and_write_only_internal_notes(api_as, make_agent, world):
    api = api_as(make_agent(Role.LIGHT_AGENT))

    readable = [api.get("/conversations"), api.get(f"/conversations/{world.conversation.pk}/messages"), api.get("/contacts"),
                api.get("/tags"), api.get("/teams")]
    note = api.post(f"/conversations/{world.conversation.pk}/messages", {"kind": "note", "text": "@Sam have a look"})
    tags = api.put(f"/conversations/{world.conversation.pk}/tags", {"tags": ["x"]})

    assert [r.status_code for r in readable] == [200] * 5
    assert note.status_code == 201
    assert tags.status_code == 403
    world.conversation.refresh_from_db()
    assert world.conversation.messages.filter(kind="note").count() == 1 and not world.conversation.tags.exists()
