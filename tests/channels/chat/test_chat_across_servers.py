"""With Redis, a visitor on one server process and an agent on another talk as if they shared one."""
import asyncio
import json

import httpx
import pytest

from conftest import agent_cookie, agent_socket, next_frame, session, visitor_socket
from parley.accounts.services import api_token_create

pytestmark = pytest.mark.servers

REDIS_URL = "redis://127.0.0.1:6379/3"


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def two_servers(parley_server_factory, transactional_db):
    if not _redis_up():
        pytest.fail(f"this test needs Redis at {REDIS_URL}")
    with parley_server_factory({"REDIS_URL": REDIS_URL}) as first, parley_server_factory({"REDIS_URL": REDIS_URL}) as second:
        yield first, second


def test_a_visitor_on_one_process_and_an_agent_on_another_talk_through_redis(two_servers, chat_inbox, agent, run_async):
    visitor_server, agent_server = two_servers
    _, api_token = api_token_create(user=agent, name="desk")
    token = session(visitor_server, chat_inbox).json()["token"]
    cookie = agent_cookie(agent)

    async def scenario():
        async with agent_socket(agent_server, cookie) as desk, visitor_socket(visitor_server, chat_inbox, token) as widget:
            await next_frame(widget, "hello")
            await widget.send(json.dumps({"action": "message", "text": "Is anyone there?", "client_id": "r1"}))
            ack = (await next_frame(widget, "ack"))["message"]
            received = await next_frame(desk, "message.received", lambda f: f["payload"]["message_id"] == ack["id"])
            reply = await asyncio.to_thread(
                httpx.post, f"{agent_server}/api/v1/conversations/{ack['conversation_id']}/messages",
                headers={"Authorization": f"Bearer {api_token}"}, json={"kind": "reply", "text": "Yes, from the other process."})
            assert reply.status_code == 201, reply.text
            shown = await next_frame(widget, "message", lambda f: f["message"]["id"] == reply.json()["id"])
            return received, shown

    received, shown = run_async(scenario())
    assert received["payload"]["conversation_id"]
    assert shown["message"]["text"] == "Yes, from the other process."
