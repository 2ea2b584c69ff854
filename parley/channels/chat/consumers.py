"""The visitor's socket: the widget's messages in, replies and typing out, resumed without loss after a reconnect.

Frames are JSON objects with an "action" (client → server) or an "event" (server → client);
docs/chat.md lists them. Every refusal is an `{"event": "error", "code", "message"}` frame,
and the socket stays open, so a bad frame loses nothing that came before or after it.
"""
import json
from collections import deque
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone, translation
from django.utils.translation import gettext

from parley.channels.chat import limits, selectors, services
from parley.channels.chat.origins import origin_allowed
from parley.channels.models import Inbox
from parley.core.errors import ApplicationError
from parley.realtime.push import conversation_group, customer_group
from parley.realtime.renewal import GroupRenewal, renew

#: The largest frame accepted from a widget; a message's 5,000 characters fit with room to spare.
MAX_FRAME_BYTES = 24_000
REMEMBERED_EVENTS = 200
ENDED_STATUSES = ("solved", "closed")


def visitor_group(public_id) -> str:
    """The group of one visitor's sockets (every tab), for what concerns them before they have a contact."""
    return f"chat-visitor-{public_id}"


class VisitorConsumer(AsyncWebsocketConsumer):
    """One widget's socket at /ws/chat/<inbox key>/?token=<visitor token>."""

    async def connect(self):
        self.visitor = None
        self.groups_joined: list[str] = []
        self.renewal = GroupRenewal()
        self.recent_events: deque[str] = deque(maxlen=REMEMBERED_EVENTS)
        headers = dict(self.scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode("latin-1")
        token = (parse_qs(self.scope.get("query_string", b"").decode()).get("token") or [""])[0]
        self.ip = (self.scope.get("client") or ["?"])[0]
        host = headers.get(b"host", b"").decode("latin-1")
        found = await database_sync_to_async(self._load)(self.scope["url_route"]["kwargs"]["key"], token, origin, host)
        if found is None:
            # Refused before the handshake completes: the browser sees a failed connection (HTTP 403).
            await self.close(code=4403)
            return
        self.visitor, online = found
        # Refusals are said in the widget's language: the visitor's browser's, else the inbox's.
        self.language = selectors.widget_language(accept_language=headers.get(b"accept-language", b"").decode("latin-1"),
                                                  default=self.visitor.inbox.settings.get("language", "en"))
        await self._join(visitor_group(self.visitor.public_id))
        if self.visitor.contact_id:
            await self._join(customer_group(self.visitor.contact_id))
        await self.accept()
        await self._send({"event": "hello", "online": online})

    def _load(self, key: str, token: str, origin: str, host: str):
        inbox = Inbox.objects.filter(key=key, kind="chat", is_active=True).first()
        if inbox is None or not origin_allowed(inbox, origin, host):
            return None
        visitor = selectors.visitor_from_token(inbox=inbox, token=token)
        if visitor is None:
            return None
        services.chat_visitor_seen(visitor=visitor)
        return visitor, selectors.agents_available(inbox=inbox)

    async def _join(self, group: str):
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.visitor is not None:
            await database_sync_to_async(services.chat_visitor_seen)(visitor=self.visitor, connected=False)

    async def _send(self, frame: dict):
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def _error(self, code: str, message: str, **extra):
        await self._send({"event": "error", "code": code, "message": message, **extra})

    async def receive(self, text_data=None, bytes_data=None):
        with translation.override(self.language):
            await self._receive(text_data, bytes_data)

    async def _receive(self, text_data, bytes_data):
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > MAX_FRAME_BYTES:
            await self._error("too_large", gettext("A frame holds at most %(max)s bytes; this one had %(size)s.")
                              % {"max": MAX_FRAME_BYTES, "size": size})
            return
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await self._error("bad_frame", gettext("A frame is a JSON object with an action."))
            return
        # The cache, not the database: off the thread that serialises this process's database calls.
        allowed = await sync_to_async(self._within_limits, thread_sensitive=False)()
        if not allowed:
            await self._error("rate_limited", gettext("Too many messages at once; wait a few seconds and try again."),
                              client_id=frame.get("client_id"))
            return
        action = frame.get("action")
        handler = getattr(self, f"action_{action}", None) if isinstance(action, str) else None
        if handler is None:
            await self._error("unknown_action", gettext("Unknown action %(action)r.") % {"action": action})
            return
        try:
            await handler(frame)
        except ApplicationError as exc:
            await self._error("refused", exc.message, extra=exc.extra, client_id=frame.get("client_id"))

    def _within_limits(self) -> bool:
        # Both are counted, so a visitor within their own limit still counts towards their address's.
        visitor_ok = limits.allow(f"visitor:{self.visitor.public_id}", limits.VISITOR_FRAMES)
        ip_ok = limits.allow(f"ip:{self.ip}", limits.IP_FRAMES)
        return visitor_ok and ip_ok

    # --- actions ---------------------------------------------------------------------------------

    async def action_message(self, frame):
        had_contact = self.visitor.contact_id
        message = await database_sync_to_async(services.chat_message_post)(
            visitor=self.visitor, text=frame.get("text"), client_id=frame.get("client_id"))
        if self.visitor.contact_id != had_contact:
            # The first message made the contact: every tab of this visitor follows its conversation from now on.
            await self.channel_layer.group_send(visitor_group(self.visitor.public_id),
                                                {"type": "chat.contact", "contact_id": self.visitor.contact_id})
            await self._join(customer_group(self.visitor.contact_id))
        shown = await database_sync_to_async(selectors.message_shown)(message)
        await self._send({"event": "ack", "client_id": frame.get("client_id"), "message": shown})

    async def action_resume(self, frame):
        try:
            after = int(frame.get("after") or 0)
        except (TypeError, ValueError):
            await self._error("bad_frame", gettext("after must be a message id."))
            return
        messages = await database_sync_to_async(selectors.messages_since)(visitor=self.visitor, after_id=after)
        await self._send({"event": "history", "messages": messages})

    async def action_typing(self, frame):
        conversation_id = await database_sync_to_async(selectors.open_conversation_id)(visitor=self.visitor)
        if conversation_id:
            await self.channel_layer.group_send(conversation_group(conversation_id), {
                "type": "parley.typing", "conversation_id": conversation_id, "who": "customer",
                "name": self.visitor.name, "typing": bool(frame.get("typing"))})

    async def action_context(self, frame):
        await database_sync_to_async(services.chat_context_set)(visitor=self.visitor, context=frame.get("context"))

    async def action_page(self, frame):
        await database_sync_to_async(services.chat_page_view)(visitor=self.visitor, url=frame.get("url"),
                                                                title=frame.get("title") or "")

    async def action_details(self, frame):
        await database_sync_to_async(services.chat_details_set)(visitor=self.visitor, name=frame.get("name") or "",
                                                                  email=frame.get("email") or "")
        await self._send({"event": "details_saved"})

    async def action_greet(self, frame):
        due = await database_sync_to_async(services.chat_greeting_due)(visitor=self.visitor)
        await self._send({"event": "greet", "show": due})

    async def action_rate(self, frame):
        await database_sync_to_async(services.chat_rate)(visitor=self.visitor, conversation_id=frame.get("conversation_id"),
                                                         score=frame.get("score"), comment=frame.get("comment") or "")
        await self._send({"event": "rated", "conversation_id": frame.get("conversation_id")})

    async def action_survey(self, frame):
        card = await database_sync_to_async(services.chat_survey_answer)(
            visitor=self.visitor, survey_id=frame.get("survey_id"), score=frame.get("score"), comment=frame.get("comment") or "")
        await self._send({"event": "survey", "survey": card})

    async def action_seen(self, frame):
        await database_sync_to_async(services.chat_messages_seen)(visitor=self.visitor, up_to_id=frame.get("message_id"))

    async def action_ping(self, frame):
        # Written once the mark is half spent, not on every ping: thousands of open widgets would keep the database busy.
        remaining = (self.visitor.connected_until - timezone.now()).total_seconds() if self.visitor.connected_until else 0
        if remaining < services.CONNECTED_SECONDS / 2:
            await database_sync_to_async(services.chat_visitor_seen)(visitor=self.visitor)
        if self.renewal.due():
            await renew(self.channel_layer, self.channel_name, self.groups_joined)
        await self._send({"event": "pong"})

    # --- from the channel layer --------------------------------------------------------------------

    async def parley_event(self, message):
        if message["id"] in self.recent_events:
            return
        self.recent_events.append(message["id"])
        payload = message["payload"]
        if message["event"] in ("message.received", "message.created") and payload.get("message_id"):
            shown = await database_sync_to_async(self._shown)(payload["message_id"])
            if shown:
                await self._send({"event": "message", "message": shown})
        elif message["event"] == "conversation.status_changed" and payload.get("new") in ENDED_STATUSES:
            # A chat solved while CSAT surveys are on gets the survey's card next: the widget then asks nothing else.
            surveyed = payload["new"] == "solved" and await database_sync_to_async(selectors.solving_asks_csat)(
                conversation_id=payload["conversation_id"])
            await self._send({"event": "ended", "conversation_id": payload["conversation_id"], "rate": not surveyed})

    def _shown(self, message_id: int):
        return selectors.message_for_visitor(visitor=self.visitor, message_id=message_id)

    async def parley_resync(self, message):
        # Messages for this widget were dropped while it lagged: it asks for what came after its newest one.
        await self._send({"event": "resync"})

    async def chat_contact(self, message):
        self.visitor.contact_id = message["contact_id"]
        await self._join(customer_group(message["contact_id"]))

    async def parley_typing(self, message):
        if message.get("who") == "agent":
            await self._send({"event": "typing", "typing": message["typing"], "name": message.get("name", "")})
