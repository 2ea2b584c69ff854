"""Availability follows activity, seen through real workspace sockets on a real server."""
import asyncio
import json

import httpx
import pytest

from parley.accounts.models import Availability, Role, User
from parley.realtime.consumers import TAB_GONE_SECONDS

pytestmark = pytest.mark.servers


#: Changes made in another process cross the channel layer; a loaded machine may take a while.
WAIT_SECONDS = 30


async def _next_availability(socket, user_id, wait: float = WAIT_SECONDS) -> dict:
    """Return the next availability change of agent `user_id` the socket hears."""
    async def read():
        while True:
            message = json.loads(await socket.recv())
            if message.get("event") == "agent.availability_changed" and message["payload"]["agent_id"] == user_id:
                return message["payload"]

    return await asyncio.wait_for(read(), wait)


def test_a_colleague_sees_an_agent_go_online_at_sign_in_away_when_idle_and_online_again_when_they_move(
        live, make_agent, session_cookie, open_socket, next_event, run_async, in_another_process):
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    ben_cookie = session_cookie(live, ben.email)

    async def scenario():
        seen = []
        async with open_socket(live, ben_cookie) as ben_socket:
            ana_cookie = await asyncio.to_thread(session_cookie, live, ana.email)
            seen.append(await _next_availability(ben_socket, ana.pk))
            async with open_socket(live, ana_cookie) as ana_socket:
                await ana_socket.send(json.dumps({"action": "ping"}))
                await next_event(ana_socket, "pong")
                # The worker's schedule, in a process of its own as `parley worker` runs it.
                await asyncio.to_thread(in_another_process, f"""
                    from datetime import timedelta
                    from django.utils import timezone
                    from parley.accounts.models import User
                    from parley.accounts.services import agents_mark_idle_away
                    User.objects.filter(pk={ana.pk}).update(last_active_at=timezone.now() - timedelta(minutes=11))
                    agents_mark_idle_away()
                """)
                seen.append(await _next_availability(ben_socket, ana.pk))
                # The agent's own tab hears it too, so the header shows it.
                own = await _next_availability(ana_socket, ana.pk)
                await ana_socket.send(json.dumps({"action": "active"}))
                seen.append(await _next_availability(ben_socket, ana.pk))
        return seen, own

    seen, own = run_async(scenario())
    assert [payload["availability"] for payload in seen] == ["online", "away", "online"]
    assert own["availability"] == "away"


def test_a_colleague_sees_an_agent_go_offline_when_their_last_tab_closes(live, make_agent, session_cookie, open_socket, next_event, run_async):
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    ben_cookie, ana_cookie = session_cookie(live, ben.email), session_cookie(live, ana.email)

    async def scenario():
        async with open_socket(live, ben_cookie) as ben_socket:
            async with open_socket(live, ana_cookie) as ana_socket:
                await ana_socket.send(json.dumps({"action": "ping"}))
                await next_event(ana_socket, "pong")
            # The tab is gone for good once no other tab of the agent opened in the grace it gets.
            return await _next_availability(ben_socket, ana.pk, TAB_GONE_SECONDS + WAIT_SECONDS)

    assert run_async(scenario())["availability"] == "offline"
    ana.refresh_from_db()
    assert ana.availability == Availability.OFFLINE


def test_moving_to_another_page_does_not_sign_the_agent_off(live, make_agent, session_cookie, open_socket, next_event, run_async):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    cookie = session_cookie(live, ana.email)

    async def scenario():
        async with open_socket(live, cookie) as first:
            await first.send(json.dumps({"action": "ping"}))
            await next_event(first, "pong")
        # The next page's socket opens well within the grace a closed tab gets.
        async with open_socket(live, cookie) as second:
            await second.send(json.dumps({"action": "ping"}))
            await next_event(second, "pong")
            await asyncio.sleep(TAB_GONE_SECONDS + 2)
            return await asyncio.to_thread(lambda: User.objects.get(pk=ana.pk).availability)

    assert run_async(scenario()) == Availability.ONLINE


def test_signing_out_makes_the_agent_offline(live, make_agent):
    ana = make_agent(Role.AGENT, name="Ana Lopez")
    with httpx.Client(base_url=live) as http:
        http.get("/login/")
        http.post("/login/", data={"username": ana.email, "password": "pw-secret-1", "csrfmiddlewaretoken": http.cookies["csrftoken"]})
        ana.refresh_from_db()
        assert ana.availability == Availability.ONLINE
        response = http.post("/logout/", data={"csrfmiddlewaretoken": http.cookies["csrftoken"]})

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.availability == Availability.OFFLINE
