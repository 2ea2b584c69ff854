"""Helpers for talking to real Parley servers as a logged-in agent (session cookie, socket, events) and for pushing from other processes."""
import asyncio
import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

EVENT_TIMEOUT_SECONDS = 30


def _session_cookie(base: str, email: str, password: str = "pw-secret-1") -> str:
    """Log in through the login form over HTTP and return the Cookie header of the session."""
    with httpx.Client(base_url=base) as http:
        http.get("/login/")
        response = http.post("/login/", data={"username": email, "password": password,
                                              "csrfmiddlewaretoken": http.cookies["csrftoken"]})
        assert response.status_code == 302, response.text
        return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


def _open_socket(base: str, cookie: str | None):
    headers = {"Origin": base}
    if cookie:
        headers["Cookie"] = cookie
    return connect(base.replace("http://", "ws://") + "/ws/workspace/", additional_headers=headers)


async def _next_event(socket, name: str, match=lambda payload: True) -> dict:
    """Return the payload of the next `name` event that `match`es, waiting at most a few seconds."""
    async def wait():
        while True:
            message = json.loads(await socket.recv())
            if message.get("event") == name and match(message["payload"]):
                return message["payload"]

    return await asyncio.wait_for(wait(), EVENT_TIMEOUT_SECONDS)


def _post_customer_message(base: str, token: str, inbox_id: int, *, source_id: str, name: str, text: str, key: str) -> dict:
    """Post a customer's message to an API inbox of a running server, as a shop backend does; return the 202 answer."""
    response = httpx.post(f"{base}/api/v1/inboxes/{inbox_id}/messages", headers={"Authorization": f"Bearer {token}"},
                          json={"contact": {"source_id": source_id, "name": name}, "text": text, "idempotency_key": key})
    assert response.status_code == 202, response.text
    return response.json()


async def _event_after_customer_message(base: str, cookie: str, token: str, inbox_id: int, event: str, match, **message):
    """On an agent's open socket, post a customer's message, then wait for `event` that `match(payload, posted)` accepts."""
    async with _open_socket(base, cookie) as socket:
        posted = await asyncio.to_thread(_post_customer_message, base, token, inbox_id, **message)
        return posted, await _next_event(socket, event, lambda payload: match(payload, posted))


@pytest.fixture
def event_after_customer_message():
    """`await event_after_customer_message(base, cookie, token, inbox_id, event, match, source_id=, name=, text=, key=)`:
    (the posted message's 202 answer, the payload of the first matching event)."""
    return _event_after_customer_message


@pytest.fixture
def live(parley_server, transactional_db):
    """The running server's base URL, for tests whose rows the server must see."""
    return parley_server


@pytest.fixture
def session_cookie():
    """`session_cookie(base, email)`: the Cookie header of an agent logged in through the form."""
    return _session_cookie


@pytest.fixture
def open_socket():
    """`open_socket(base, cookie)`: an async context manager holding a workspace WebSocket."""
    return _open_socket


@pytest.fixture
def next_event():
    """`await next_event(socket, name, match)`: the next matching event's payload, or a timeout."""
    return _next_event


@pytest.fixture
def run_async():
    """`run_async(coroutine)`: run it to completion on a fresh event loop in its own thread.

    The session's Playwright browser keeps an event loop running on the main thread, where
    asyncio.run() is refused.
    """
    def run(coroutine):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run


@pytest.fixture
def in_another_process(transactional_db, database_url):
    """`in_another_process(code)`: run Python `code` in a fresh Django process on the test database.

    It stands for a worker or the SMTP receiver: a process that changes data and pushes events
    but holds no sockets.
    """
    from django.conf import settings

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.test_settings", "DATABASE_URL": database_url,
           "PARLEY_DATA_DIR": str(settings.DATA_DIR), "PARLEY_SECRET_KEY": settings.SECRET_KEY}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run(code: str) -> None:
        result = subprocess.run([sys.executable, "-c", "import django\ndjango.setup()\n" + textwrap.dedent(code)],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    return run


def _server_process_of(socket, server_port: int) -> int:
    """Return the id of the server process holding the far end of a client WebSocket (Linux /proc)."""
    client_port = socket.transport.get_extra_info("sockname")[1]
    wanted = f":{server_port:04X} ", f":{client_port:04X} "
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if f"{fields[1]} ".endswith(wanted[0]) and f"{fields[2]} ".endswith(wanted[1]):
                inodes.add(f"socket:[{fields[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                return int(fd.parent.parent.name)
        except OSError:
            continue
    raise LookupError(f"no process holds the server end of port {client_port}")


@pytest.fixture
def server_process_of():
    """`server_process_of(socket, server_port)`: which server process a client WebSocket talks to."""
    return _server_process_of
