"""With Redis, a visitor on one server process and an agent on another talk as if they shared one."""
import pytest

from chat_client import agent_cookie, round_trip, session
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

    _, received, shown = run_async(round_trip(
        visitor_base=visitor_server, agent_base=agent_server, inbox=chat_inbox, token=token, cookie=cookie,
        api_token=api_token, text="Is anyone there?", reply_text="Yes, from the other process."))
    assert received["payload"]["conversation_id"]
    assert shown["message"]["text"] == "Yes, from the other process."
