"""The agent workspace socket: live events for lists and open conversations, presence, and availability."""
import asyncio
import contextvars
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from parley.accounts import services as accounts_services
from parley.accounts.permissions import can
from parley.conversations.selectors import conversation_contact_id, conversation_visible, team_scope, visible_inbox_ids
from parley.realtime import presence
from parley.realtime.renewal import GroupRenewal, renew
from parley.realtime.push import agent_group, availability_group, conversation_group, customer_group, inbox_group

#: How many recent event ids a socket remembers; far more than one event's copies can be apart.
REMEMBERED_EVENTS = 500
#: Moving to another page closes a tab's socket and opens the next one: only a tab that stays gone
#: this long was closed.
TAB_GONE_SECONDS = 8
#: Sign-off checks still waiting, kept so the loop does not drop them when their socket is gone.
_pending_sign_offs: set[asyncio.Task] = set()


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    """Speaks JSON: the client sends {"action": "view"|"leave"|"ping"|"typing"|"active", "conversation_id": N}."""

    async def connect(self):
        self.user = self.scope.get("user")
        self.viewing: int | None = None
        self.joined: list[str] = []
        self.recent_events: deque[str] = deque(maxlen=REMEMBERED_EVENTS)
        if not await database_sync_to_async(can)(self.user, "conversation.view"):
            await self.close(code=4403)
            return
        # With team scoping on, an agent's socket passes on only the events of conversations they may open.
        self.teams = await database_sync_to_async(team_scope)(user=self.user)
        inbox_ids = await database_sync_to_async(visible_inbox_ids)(user=self.user)
        self.joined = [agent_group(self.user.pk), availability_group(), *(inbox_group(pk) for pk in inbox_ids)]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await database_sync_to_async(presence.socket_open)(self.channel_name, self.user.pk)
        self.renewal = GroupRenewal()
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "user", None) is None or not self.user.is_authenticated:
            return
        # Started before anything here awaits, so a consumer torn down mid-way still lets the tab go; in a context
        # of its own, since this consumer's (and the executor its database calls would use) ends before it does.
        check = asyncio.create_task(_tab_closed(self.channel_name, self.user.pk), context=contextvars.Context())
        _pending_sign_offs.add(check)
        check.add_done_callback(_pending_sign_offs.discard)
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
            if not await self._may_see({"payload": {"conversation_id": conversation_id}}):
                await self.send_json({"error": "you may not see this conversation"})
                return
            self.viewing = conversation_id
            await self.channel_layer.group_add(conversation_group(conversation_id), self.channel_name)
            await self._announce(await self._join(conversation_id))
        elif action == "ping":
            # A ping keeps this viewer fresh; the viewers list only changes on view and leave. It also picks up a
            # change of team scoping or of the agent's teams, so an open socket follows them within a ping.
            self.teams = await database_sync_to_async(team_scope)(user=self.user)
            if self.viewing:
                await self._join(self.viewing)
            if self.renewal.due():
                viewed = [conversation_group(self.viewing)] if self.viewing else []
                await renew(self.channel_layer, self.channel_name, [*self.joined, *viewed])
            await database_sync_to_async(presence.socket_open)(self.channel_name, self.user.pk)
            await self.send_json({"event": "pong", "payload": {}})
        elif action == "leave":
            await self._stop_viewing()
        elif action == "typing":
            await self._typing(content)
        elif action == "active":
            await database_sync_to_async(accounts_services.agent_record_activity)(user_id=self.user.pk)
        else:
            await self.send_json({"error": f"unknown action {action!r}"})

    async def _typing(self, content):
        # Only into the conversation being viewed: an agent cannot make another customer's widget show typing.
        if self.viewing is None:
            await self.send_json({"error": "view a conversation before typing in it"})
            return
        typing = bool(content.get("typing"))
        # Colleagues viewing the conversation see who is answering, so two agents do not write the same reply.
        await self.channel_layer.group_send(conversation_group(self.viewing), {
            "type": "parley.typing", "conversation_id": self.viewing, "who": "agent", "agent_id": self.user.pk,
            "name": str(self.user), "typing": typing})
        contact_id = await database_sync_to_async(conversation_contact_id)(conversation_id=self.viewing)
        if contact_id is not None:
            await self.channel_layer.group_send(customer_group(contact_id), {
                "type": "parley.typing", "conversation_id": self.viewing, "who": "agent",
                "name": self.user.name.split()[0] if self.user.name else "", "typing": typing})

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
        if message["id"] in self.recent_events or not await self._may_see(message):
            return
        self.recent_events.append(message["id"])
        out = {"event": message["event"], "id": message["id"], "payload": message["payload"]}
        if "row" in message:
            out["row"] = message["row"]
        await self.send_json(out)

    async def _may_see(self, message) -> bool:
        if self.teams is None:
            return True
        row = message.get("row")
        if row:
            return row["team_id"] in self.teams or row["assignee_id"] == self.user.pk
        conversation_id = message["payload"].get("conversation_id")
        return conversation_id is None or await database_sync_to_async(conversation_visible)(
            user=self.user, conversation_id=conversation_id)

    async def parley_resync(self, message):
        # Updates for this socket were dropped while it lagged: the page fetches what it shows again.
        await self.send_json({"event": "resync", "payload": {}})

    async def parley_typing(self, message):
        # Agents hear the customer typing, and colleagues typing in the conversation they view (never themselves).
        if message.get("who") == "customer":
            await self.send_json({"event": "typing", "payload": {key: message[key] for key in ("conversation_id", "name", "typing")}})
        elif message.get("agent_id") not in (None, self.user.pk):
            await self.send_json({"event": "agent.typing", "payload": {
                key: message[key] for key in ("conversation_id", "agent_id", "name", "typing")}})

    async def parley_presence(self, message):
        await self.send_json({"event": "presence", "payload": {"conversation_id": message["conversation_id"], "viewers": message["viewers"]}})


async def _tab_closed(channel_name: str, user_id: int) -> None:
    """Forget the tab; once no tab of the agent came back for a while, they may go offline."""
    await database_sync_to_async(presence.socket_close)(channel_name)
    await asyncio.sleep(TAB_GONE_SECONDS)
    if not await database_sync_to_async(presence.has_open_socket)(user_id):
        await database_sync_to_async(accounts_services.agent_tabs_closed)(user_id=user_id)
