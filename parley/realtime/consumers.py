"""The agent workspace socket: live events for lists and open conversations, and presence."""
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from parley.accounts.permissions import can
from parley.conversations.selectors import conversation_contact_id, visible_inbox_ids
from parley.realtime import presence
from parley.realtime.push import agent_group, conversation_group, customer_group, inbox_group

#: How many recent event ids a socket remembers; far more than one event's copies can be apart.
REMEMBERED_EVENTS = 500


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    """Speaks JSON: the client sends {"action": "view"|"leave"|"ping", "conversation_id": N}."""

    async def connect(self):
        self.user = self.scope.get("user")
        self.viewing: int | None = None
        self.joined: list[str] = []
        self.recent_events: deque[str] = deque(maxlen=REMEMBERED_EVENTS)
        if not await database_sync_to_async(can)(self.user, "conversation.view"):
            await self.close(code=4403)
            return
        inbox_ids = await database_sync_to_async(visible_inbox_ids)(user=self.user)
        self.joined = [agent_group(self.user.pk), *(inbox_group(pk) for pk in inbox_ids)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "user", None) is None or not self.user.is_authenticated:
            return
        await self._stop_viewing()
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        if action == "view":
            try:
                conversation_id = int(content.get("conversation_id"))
            except (TypeError, ValueError):
                await self.send_json({"error": "conversation_id must be a number"})
                return
            await self._stop_viewing()
            self.viewing = conversation_id
            await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
            await self._announce(await self._join(conversation_id))
        elif action == "ping":
            # A ping keeps this viewer fresh; the viewers list only changes on view and leave.
            if self.viewing:
                await self._join(self.viewing)
            await self.send_json({"event": "pong", "payload": {}})
        elif action == "leave":
            await self._stop_viewing()
        elif action == "typing":
            await self._typing(content)
        else:
            await self.send_json({"error": f"unknown action {action!r}"})

    async def _typing(self, content):
        # Only into the conversation being viewed: an agent cannot make another customer's widget show typing.
        if self.viewing is None:
            await self.send_json({"error": "view a conversation before typing in it"})
            return
        contact_id = await database_sync_to_async(conversation_contact_id)(conversation_id=self.viewing)
        if contact_id is not None:
            await self.channel_layer.group_send(customer_group(contact_id), {
                "type": "parley.typing", "conversation_id": self.viewing, "who": "agent",
                "name": self.user.name.split()[0] if self.user.name else "", "typing": bool(content.get("typing"))})

    async def _join(self, conversation_id: int) -> list[dict]:
        return await database_sync_to_async(presence.join)(conversation_id, self.channel_name, self.user.pk, str(self.user))

    async def _stop_viewing(self):
        if self.viewing is None:
            return
        conversation_id, self.viewing = self.viewing, None
        await self.channel_layer.group_discard(conversation_group(conversation_id), self.channel_name)
        await self._announce(await database_sync_to_async(presence.leave)(conversation_id, self.channel_name), conversation_id)

    async def _announce(self, viewers, conversation_id=None):
        conversation_id = conversation_id or self.viewing
        await self.channel_layer.group_send(conversation_group(conversation_id), {
            "type": "parley.presence", "conversation_id": conversation_id, "viewers": viewers})

    async def parley_event(self, message):
        # One event reaches a socket through each of its groups it concerns; the agent sees it once.
        if message["id"] in self.recent_events:
            return
        self.recent_events.append(message["id"])
        out = {"event": message["event"], "id": message["id"], "payload": message["payload"]}
        if "row" in message:
            out["row"] = message["row"]
        await self.send_json(out)

    async def parley_typing(self, message):
        # Agents hear the customer typing; their own typing goes to the customer's widget only.
        if message.get("who") == "customer":
            await self.send_json({"event": "typing", "payload": {key: message[key] for key in ("conversation_id", "name", "typing")}})

    async def parley_presence(self, message):
        await self.send_json({"event": "presence", "payload": {"conversation_id": message["conversation_id"], "viewers": message["viewers"]}})
