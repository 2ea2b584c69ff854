"""With team scoping on, an agent's workspace socket (a real WebSocket client against a real server) hears about
their teams' conversations only, and may not view another team's."""
import asyncio
import json

import pytest

from parley.accounts.security import security_policy_update
from parley.accounts.services import team_create
from parley.channels.base import InboundMessage
from parley.conversations.services import conversation_assign, message_receive

pytestmark = pytest.mark.servers
#: How long a step may take on a loaded machine before the socket counts as deaf.
WAIT_SECONDS = 30


def _conversation(inbox, admin, team, text):
    conversation = message_receive(inbox=inbox, inbound=InboundMessage(
        external_id=f"ext-{text}", identity_kind="external_id", source_id=text, contact_name="Nia Noor", text=text)).conversation
    return conversation_assign(conversation=conversation, actor=admin, team=team)


async def _both_changed_elsewhere(socket, in_another_process, admin, theirs, ours) -> list[dict]:
    """Change Billing's conversation, then Support's, in another process; return what the socket heard up to Support's.

    The change to Support's conversation is the barrier: Billing's, made first, would have come before it.
    """
    await asyncio.to_thread(in_another_process, f"""
        from parley.accounts.models import User
        from parley.conversations.models import Conversation
        from parley.conversations.services import conversation_update
        admin = User.objects.get(pk={admin.pk})
        conversation_update(conversation=Conversation.objects.get(pk={theirs.pk}), actor=admin, priority="urgent")
        conversation_update(conversation=Conversation.objects.get(pk={ours.pk}), actor=admin, priority="high")
    """)
    received = []
    while not received or received[-1].get("payload", {}).get("conversation_id") != ours.pk:
        received.append(json.loads(await asyncio.wait_for(socket.recv(), WAIT_SECONDS)))
    return received


def test_a_scoped_agent_hears_only_their_teams_conversations(
        live, admin, agent, make_agent, api_inbox, session_cookie, open_socket, in_another_process, run_async):
    support = team_create(name="Support", member_ids=[agent.pk])
    billing = team_create(name="Billing")
    ours = _conversation(api_inbox, admin, support, "Printer jams")
    theirs = _conversation(api_inbox, admin, billing, "Refund please")
    security_policy_update(actor=admin, two_factor_roles=[], session_hours=None, team_scoping=True)
    cookie = session_cookie(live, agent.email)

    async def scenario():
        async with open_socket(live, cookie) as socket:
            await socket.send(json.dumps({"action": "view", "conversation_id": theirs.pk}))
            refusal = json.loads(await asyncio.wait_for(socket.recv(), WAIT_SECONDS))
            received = await _both_changed_elsewhere(socket, in_another_process, admin, theirs, ours)
            return refusal, received

    refusal, received = run_async(scenario())
    assert refusal == {"error": "you may not see this conversation"}
    heard = {m["payload"].get("conversation_id") for m in received if "payload" in m}
    assert ours.pk in heard and theirs.pk not in heard
    assert "Refund please" not in json.dumps(received)


def test_an_open_socket_follows_scoping_turned_on_at_its_next_ping(
        live, admin, agent, api_inbox, session_cookie, open_socket, in_another_process, run_async):
    support, billing = team_create(name="Support", member_ids=[agent.pk]), team_create(name="Billing")
    ours = _conversation(api_inbox, admin, support, "Printer jams")
    theirs = _conversation(api_inbox, admin, billing, "Refund please")
    cookie = session_cookie(live, agent.email)

    async def scenario():
        async with open_socket(live, cookie) as socket:
            await asyncio.to_thread(security_policy_update, actor=admin, two_factor_roles=[], session_hours=None,
                                    team_scoping=True)
            await socket.send(json.dumps({"action": "ping"}))
            while json.loads(await asyncio.wait_for(socket.recv(), WAIT_SECONDS)).get("event") != "pong":
                pass
            return await _both_changed_elsewhere(socket, in_another_process, admin, theirs, ours)

    heard = {m["payload"].get("conversation_id") for m in run_async(scenario()) if "payload" in m}
    assert ours.pk in heard and theirs.pk not in heard
