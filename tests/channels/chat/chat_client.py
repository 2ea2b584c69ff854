"""Talking to a real Parley as the chat widget does (its session over HTTP, its socket) and as an agent."""
import asyncio
import json

import httpx
from websockets.asyncio.client import connect

SHOP = "https://shop.example"
IDENTITY_SECRET = "shop-identity-secret"
FRAME_TIMEOUT_SECONDS = 10



def session(base: str, inbox, *, origin: str = SHOP, **body) -> httpx.Response:
    """Open or resume a widget session the way the widget does (a cross-origin POST)."""
    return httpx.post(f"{base}/chat/{inbox.key}/session/", content=json.dumps(body),
                      headers={"Origin": origin, "Content-Type": "text/plain"})


def visitor_socket(base: str, inbox, token: str, *, origin: str = SHOP, language: str = ""):
    """Open the widget's socket; `language` is what the visitor's browser asks for (Accept-Language)."""
    headers = {"Origin": origin, **({"Accept-Language": language} if language else {})}
    return connect(f"{base.replace('http://', 'ws://')}/ws/chat/{inbox.key}/?token={token}", additional_headers=headers)


async def next_frame(socket, event: str, match=lambda frame: True) -> dict:
    """Return the next frame of `event` that matches, skipping others; time out after a few seconds."""
    async def wait():
        while True:
            frame = json.loads(await socket.recv())
            if frame.get("event") == event and match(frame):
                return frame

    return await asyncio.wait_for(wait(), FRAME_TIMEOUT_SECONDS)


def agent_reply(base: str, api_token: str, conversation_id: int, text: str) -> dict:
    """Reply as an agent through the API of the server at `base`; return the stored message."""
    response = httpx.post(f"{base}/api/v1/conversations/{conversation_id}/messages",
                          headers={"Authorization": f"Bearer {api_token}"}, json={"kind": "reply", "text": text})
    assert response.status_code == 201, response.text
    return response.json()


async def round_trip(*, visitor_base: str, agent_base: str, inbox, token: str, cookie: str, api_token: str,
                     text: str, reply_text: str) -> tuple[dict, dict, dict]:
    """A visitor writes on `visitor_base`, the agent on `agent_base` hears it and replies; return (ack, received, shown)."""
    async with agent_socket(agent_base, cookie) as desk, visitor_socket(visitor_base, inbox, token) as widget:
        await next_frame(widget, "hello")
        await widget.send(json.dumps({"action": "message", "text": text, "client_id": "round-trip"}))
        ack = await next_frame(widget, "ack")
        received = await next_frame(desk, "message.received", lambda f: f["payload"]["message_id"] == ack["message"]["id"])
        reply = await asyncio.to_thread(agent_reply, agent_base, api_token, ack["message"]["conversation_id"], reply_text)
        shown = await next_frame(widget, "message", lambda f: f["message"]["id"] == reply["id"])
        return ack, received, shown


def agent_cookie(agent) -> str:
    """The Cookie header of a logged-in agent session, stored in the database the server reads."""
    from django.test import Client

    client = Client()
    client.force_login(agent)
    return f"sessionid={client.cookies['sessionid'].value}"


def agent_socket(base: str, cookie: str):
    return connect(f"{base.replace('http://', 'ws://')}/ws/workspace/", additional_headers={"Origin": base, "Cookie": cookie})


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG picture (grey pixels), as a phone's screenshot would arrive."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def widget(page):
    """The widget's shadow host on a page (Playwright's CSS locators reach into its open shadow root)."""
    return page.locator("#parley-chat")


def as_agent(browser, base, agent):
    """A browser context logged in as `agent` on the server at `base`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "sessionid", "value": agent_cookie(agent).split("=", 1)[1], "url": base}])
    return context
