"""A workspace tab left open past the channel layer's group expiry still hears events: its pings join its groups again.

The consumer runs in this process over ASGI (asgiref's communicator), so its channel layer can be one whose
memberships expire in seconds instead of a day.
"""
import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from asgiref.testing import ApplicationCommunicator

from parley.realtime import renewal
from parley.realtime.consumers import WorkspaceConsumer
from parley.realtime.push import availability_group

#: Seconds a group membership lasts in this test's layer (a day in Parley's).
EXPIRY = 2


class Tab:
    """A workspace socket spoken to as the ASGI server would."""

    def __init__(self, user):
        self.asgi = ApplicationCommunicator(WorkspaceConsumer.as_asgi(), {
            "type": "websocket", "path": "/ws/workspace/", "headers": [], "subprotocols": [], "user": user})

    async def open(self):
        await self.asgi.send_input({"type": "websocket.connect"})
        assert (await self.asgi.receive_output(10))["type"] == "websocket.accept"

    async def send(self, frame: dict):
        await self.asgi.send_input({"type": "websocket.receive", "text": json.dumps(frame)})

    async def receive(self) -> dict:
        return json.loads((await self.asgi.receive_output(10))["text"])

    async def close(self):
        await self.asgi.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.asgi.wait(10)


@pytest.fixture
def short_lived_groups(settings, monkeypatch):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer",
                                           "CONFIG": {"group_expiry": EXPIRY}}}
    monkeypatch.setattr(renewal, "RENEW_EVERY_SECONDS", EXPIRY / 2)


def test_only_the_tab_that_pings_still_hears_events_after_its_groups_would_have_expired(
        short_lived_groups, transactional_db, agent, run_async):
    async def scenario():
        pinging, silent = Tab(agent), Tab(agent)
        for tab in (pinging, silent):
            await tab.open()
        try:
            for _ in range(int(EXPIRY / 0.25) + 4):
                await pinging.send({"action": "ping"})
                assert (await pinging.receive())["event"] == "pong"
                await asyncio.sleep(0.25)
            await get_channel_layer().group_send(availability_group(), {
                "type": "parley.event", "id": "e-1", "event": "agent.availability_changed", "payload": {"user_id": agent.pk}})
            return await pinging.receive(), await silent.asgi.receive_nothing(1)
        finally:
            for tab in (pinging, silent):
                await tab.close()

    heard, silent_heard_nothing = run_async(scenario())
    assert heard["event"] == "agent.availability_changed"
    assert silent_heard_nothing
