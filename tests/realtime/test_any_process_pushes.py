"""Live updates and presence reach every socket once, whichever process makes the change: a worker, the web server, any web worker."""
import asyncio
import json

import httpx
import pytest

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

pytestmark = pytest.mark.servers


def _conversation(inbox, text="Where is my parcel?"):
    return message_receive(inbox=inbox, inbound=InboundMessage(
        external_id=f"ext-{text}", identity_kind="external_id", source_id="c-1", contact_name="Nia Noor", text=text)).conversation


async def _collect_until(socket, last: callable, timeout=30) -> list[dict]:
    """Return every message the socket receives up to and including the first one `last` accepts."""
    received = []

    async def read():
        while True:
            received.append(json.loads(await socket.recv()))
            if last(received[-1]):
                return received

    return await asyncio.wait_for(read(), timeout)


async def _open_on_both_workers(open_socket, server_process_of, base: str, cookie: str, opened: list) -> dict:
    """Open sockets (kept in `opened`) until both web workers hold one; return one socket per worker's pid."""
    port = int(base.rsplit(":", 1)[1])
    by_worker = {}
    # The kernel hands each connection to one worker. The server answers as soon as one worker is up; on a
    # loaded machine the other may take seconds more to start accepting.
    deadline = asyncio.get_running_loop().time() + 30
    while len(by_worker) < 2:
        assert asyncio.get_running_loop().time() < deadline, "every connection went to one worker"
        opened.append(await open_socket(base, cookie))
        pid = server_process_of(opened[-1], port)
        if pid in by_worker:
            await asyncio.sleep(0.2)
        by_worker.setdefault(pid, opened[-1])
    return by_worker


def _priority_change(message: dict, priority: str) -> bool:
    return message.get("event") == "conversation.updated" and message["payload"]["changes"].get("priority", [None, None])[1] == priority


def test_a_change_made_in_another_process_reaches_an_agent_viewing_it_once_with_its_list_row(
        live, agent, api_inbox, session_cookie, open_socket, in_another_process, run_async):
    conversation = _conversation(api_inbox)
    cookie = session_cookie(live, agent.email)

    async def scenario():
        async with open_socket(live, cookie) as socket:
            # Viewing puts the socket in the conversation's group as well as the inbox's: both get the event.
            await socket.send(json.dumps({"action": "view", "conversation_id": conversation.pk}))
            await _collect_until(socket, lambda m: m.get("event") == "presence")
            await asyncio.to_thread(in_another_process, f"""
                from parley.accounts.models import User
                from parley.conversations.models import Conversation
                from parley.conversations.services import conversation_update
                for priority in ("urgent", "high"):
                    conversation_update(conversation=Conversation.objects.get(pk={conversation.pk}),
                                        actor=User.objects.get(pk={agent.pk}), priority=priority)
            """)
            # The second change is the barrier: copies of the first would have come before it.
            return await _collect_until(socket, lambda m: _priority_change(m, "high"))

    received = run_async(scenario())
    urgent = [m for m in received if _priority_change(m, "urgent")]
    assert len(urgent) == 1
    row = urgent[0]["row"]
    assert row["id"] == conversation.pk and row["priority"] == "urgent" and row["inbox_id"] == api_inbox.pk
    assert row["preview"] == "Where is my parcel?" and row["active"] is True
    assert f'id="row-{conversation.pk}"' in row["html"] and "Urgent" in row["html"]


def test_one_mention_reaches_the_mentioned_agent_once_and_nobody_else(
        live, make_agent, api_inbox, session_cookie, open_socket, run_async):
    sam, ben = make_agent(Role.AGENT, name="Sam Agent"), make_agent(Role.AGENT, name="Ben Okafor")
    conversation = _conversation(api_inbox)
    _, token = api_token_create(user=ben, name="notes")
    sam_cookie, ben_cookie = session_cookie(live, sam.email), session_cookie(live, ben.email)

    def note(text):
        response = httpx.post(f"{live}/api/v1/conversations/{conversation.pk}/messages", headers={"Authorization": f"Bearer {token}"},
                              json={"kind": "note", "text": text})
        assert response.status_code in (200, 201), response.text
        return response.json()["id"]

    async def scenario():
        async with open_socket(live, sam_cookie) as sam_socket, open_socket(live, ben_cookie) as ben_socket:
            for socket in (sam_socket, ben_socket):
                await socket.send(json.dumps({"action": "view", "conversation_id": conversation.pk}))
            await _collect_until(sam_socket, lambda m: m.get("event") == "presence" and len(m["payload"]["viewers"]) == 2)
            await asyncio.to_thread(note, "@sam can you check the courier?")
            marker = await asyncio.to_thread(note, "Thanks")
            last = lambda m: m.get("event") == "message.created" and m["payload"]["message_id"] == marker  # noqa: E731
            return await _collect_until(sam_socket, last), await _collect_until(ben_socket, last)

    seen_by_sam, seen_by_ben = run_async(scenario())
    mentions = [m for m in seen_by_sam if m.get("event") == "agent.mentioned"]
    assert [m["payload"]["agent_id"] for m in mentions] == [sam.pk]
    assert not [m for m in seen_by_ben if m.get("event") == "agent.mentioned"]
    ids = [m["id"] for m in seen_by_sam if "id" in m]
    assert len(ids) == len(set(ids))


def test_with_two_web_workers_every_socket_gets_each_change_once_from_a_worker_and_from_the_other_web_worker(
        parley_server_factory, transactional_db, agent, api_inbox, session_cookie, open_socket, in_another_process,
        server_process_of, run_async):
    conversation = _conversation(api_inbox)
    _, token = api_token_create(user=agent, name="shop backend")

    with parley_server_factory({"WEB_CONCURRENCY": "2"}) as base:
        cookie = session_cookie(base, agent.email)

        async def scenario():
            sockets = []
            try:
                await _open_on_both_workers(open_socket, server_process_of, base, cookie, sockets)
                await asyncio.to_thread(in_another_process, f"""
                    from parley.accounts.models import User
                    from parley.conversations.models import Conversation
                    from parley.conversations.services import conversation_update
                    conversation_update(conversation=Conversation.objects.get(pk={conversation.pk}),
                                        actor=User.objects.get(pk={agent.pk}), priority="urgent")
                """)
                first = [await _collect_until(socket, lambda m: _priority_change(m, "urgent")) for socket in sockets]
                # Through the API, the change happens in one of the web workers; copies of the first would come before it.
                response = await asyncio.to_thread(
                    httpx.patch, f"{base}/api/v1/conversations/{conversation.pk}", headers={"Authorization": f"Bearer {token}"},
                    json={"priority": "high"})
                assert response.status_code == 200, response.text
                then = [await _collect_until(socket, lambda m: _priority_change(m, "high")) for socket in sockets]
                return [before + after for before, after in zip(first, then)]
            finally:
                for socket in sockets:
                    await socket.close()

        per_socket = run_async(scenario())

    for received in per_socket:
        assert len([m for m in received if _priority_change(m, "urgent")]) == 1


def test_with_two_web_workers_agents_on_different_workers_see_each_other_viewing(
        parley_server_factory, transactional_db, make_agent, api_inbox, session_cookie, open_socket, next_event,
        server_process_of, run_async):
    conversation = _conversation(api_inbox)
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    view = json.dumps({"action": "view", "conversation_id": conversation.pk})

    with parley_server_factory({"WEB_CONCURRENCY": "2"}) as base:
        ana_cookie, ben_cookie = session_cookie(base, ana.email), session_cookie(base, ben.email)
        port = int(base.rsplit(":", 1)[1])

        async def scenario():
            opened = [await open_socket(base, ana_cookie)]
            try:
                ana_socket = opened[0]
                bens = await _open_on_both_workers(open_socket, server_process_of, base, ben_cookie, opened)
                ben_socket = next(socket for pid, socket in bens.items() if pid != server_process_of(ana_socket, port))
                await ana_socket.send(view)
                await next_event(ana_socket, "presence", lambda p: len(p["viewers"]) == 1)
                await ben_socket.send(view)
                seen_by_ben = await next_event(ben_socket, "presence", lambda p: len(p["viewers"]) == 2)
                seen_by_ana = await next_event(ana_socket, "presence", lambda p: len(p["viewers"]) == 2)
                return seen_by_ana, seen_by_ben
            finally:
                for socket in opened:
                    await socket.close()

        seen_by_ana, seen_by_ben = run_async(scenario())

    both = [{"user_id": ana.pk, "name": "Ana Lopez"}, {"user_id": ben.pk, "name": "Ben Okafor"}]
    assert seen_by_ana["viewers"] == seen_by_ben["viewers"] == both
