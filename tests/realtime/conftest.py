"""Helpers for talking to a real Parley server as a logged-in agent: session cookie, socket, events."""
import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from websockets.asyncio.client import connect

EVENT_TIMEOUT_SECONDS = 10


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
