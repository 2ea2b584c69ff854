"""The workspace WebSocket against a real server: live events, presence, and refusing strangers."""
import asyncio

import pytest
from websockets.exceptions import InvalidStatus

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

pytestmark = pytest.mark.servers


def test_given_an_agent_on_the_socket_when_a_customer_posts_through_the_api_then_message_received_arrives(live, agent, api_inbox, session_cookie, run_async, event_after_customer_message):
    _, token = api_token_create(user=agent, name="shop backend")
    cookie = session_cookie(live, agent.email)

    # Other servers of the session may still be publishing on a shared (Redis) layer; wait for this message.
    posted, event = run_async(event_after_customer_message(
        live, cookie, token, api_inbox.pk, "message.received", lambda payload, posted: payload["message_id"] == posted["message_id"],
        source_id="shop-42", name="Nia Noor", text="Where is order 42?", key="k-42"))

    assert event["message_id"] == posted["message_id"]
    assert event["conversation_id"] == posted["conversation_id"]


def test_two_agents_viewing_one_conversation_each_see_the_other(live, make_agent, api_inbox, session_cookie, open_socket, next_event, run_async):
    conversation = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="p-1", identity_kind="external_id", source_id="c", text="Hi")).conversation
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    ana_cookie, ben_cookie = session_cookie(live, ana.email), session_cookie(live, ben.email)
    both = [{"user_id": ana.pk, "name": "Ana Lopez"}, {"user_id": ben.pk, "name": "Ben Okafor"}]

    async def scenario():
        async with open_socket(live, ana_cookie) as ana_socket, open_socket(live, ben_cookie) as ben_socket:
            await ana_socket.send('{"action": "view", "conversation_id": %d}' % conversation.pk)
            await next_event(ana_socket, "presence", lambda p: len(p["viewers"]) == 1)
            await ben_socket.send('{"action": "view", "conversation_id": %d}' % conversation.pk)
            seen_by_ana = await next_event(ana_socket, "presence", lambda p: len(p["viewers"]) == 2)
            seen_by_ben = await next_event(ben_socket, "presence", lambda p: len(p["viewers"]) == 2)
            await ben_socket.send('{"action": "leave"}')
            after_ben_left = await next_event(ana_socket, "presence", lambda p: len(p["viewers"]) == 1)
            return seen_by_ana, seen_by_ben, after_ben_left

    seen_by_ana, seen_by_ben, after_ben_left = run_async(scenario())
    assert seen_by_ana == seen_by_ben == {"conversation_id": conversation.pk, "viewers": both}
    assert after_ben_left["viewers"] == [{"user_id": ana.pk, "name": "Ana Lopez"}]


def test_a_socket_without_a_logged_in_agent_is_refused(live, open_socket, run_async):
    async def scenario():
        async with open_socket(live, cookie=None):
            pass

    with pytest.raises(InvalidStatus) as refused:
        run_async(scenario())
    assert refused.value.response.status_code == 403


def test_a_ping_is_answered_and_a_bad_request_is_explained(live, agent, session_cookie, open_socket, next_event, run_async):
    cookie = session_cookie(live, agent.email)

    async def scenario():
        async with open_socket(live, cookie) as socket:
            await socket.send('{"action": "ping"}')
            pong = await next_event(socket, "pong")
            await socket.send('{"action": "view", "conversation_id": "abc"}')
            error = await asyncio.wait_for(socket.recv(), 10)
            return pong, error

    pong, error = run_async(scenario())
    assert pong == {}
    assert "conversation_id must be a number" in error
