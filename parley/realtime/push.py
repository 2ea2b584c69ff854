"""Push domain events to the sockets they concern, over the channel layer, from any process.

Groups are scoped, never one for everyone:
- `agent-<id>`: one agent's sockets (their @mentions);
- `inbox-<id>`: agents who may see the inbox's conversations (list rows, counts);
- `conversation-<id>`: agents viewing that conversation (timeline, details, presence);
- `customer-<contact id>`: the customer's own sockets (the chat to come), told only what they may see;
- `agent-availability`: agents' workspace sockets, told only who went online, away or offline, which
  every agent already sees when assigning.

A socket is usually in several groups that one event goes to (an agent viewing a conversation
in an inbox they see); each message carries the event's id and the socket drops repeats.
"""
import asyncio
import threading
import uuid

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from parley.conversations import selectors
from parley.realtime.rows import list_row

#: Events after which the conversation's row in the inbox lists may look different.
ROW_EVENTS = frozenset({
    "conversation.created", "conversation.updated", "conversation.assigned", "conversation.status_changed",
    "conversation.merged", "conversation.deleted", "message.received", "message.created",
})
#: Message kinds a customer sees in their conversation.
PUBLIC_KINDS = frozenset({"reply", "bot"})


def conversation_group(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"


def agent_group(agent_id: int) -> str:
    return f"agent-{agent_id}"


def inbox_group(inbox_id: int) -> str:
    return f"inbox-{inbox_id}"


def availability_group() -> str:
    return "agent-availability"


def customer_group(contact_id: int) -> str:
    return f"customer-{contact_id}"


def layer_message(name: str, payload: dict, **extra) -> dict:
    """Return the channel-layer message for one event; `id` lets a socket in several groups keep one copy."""
    return {"type": "parley.event", "id": str(payload.get("event_id") or uuid.uuid4().hex), "event": name,
            "payload": payload, **extra}


def deliveries(name: str, payload: dict) -> list[tuple[str, dict]]:
    """Return the (group, message) pairs that tell everyone concerned, and nobody else, about one event."""
    conversation_id = payload.get("conversation_id")
    if name in ("agent.mentioned", "agent.notified"):
        return [(agent_group(payload["agent_id"]), layer_message(name, payload))]
    if name == "agent.availability_changed":
        return [(availability_group(), layer_message(name, payload))]
    if not conversation_id:
        return []
    groups = [conversation_group(conversation_id)]
    if name == "conversation.merged":
        groups.append(conversation_group(payload["merged_id"]))
    if name not in ROW_EVENTS:
        message = layer_message(name, payload)
        return [(group, message) for group in groups]
    conversation = selectors.conversation_row(conversation_id=conversation_id)
    inbox_id = conversation.inbox_id if conversation else payload.get("inbox_id")
    if inbox_id:
        groups.append(inbox_group(inbox_id))
    message = layer_message(name, payload, row=list_row(conversation) if conversation else None)
    sends = [(group, message) for group in groups]
    if conversation and _customer_sees(name, payload):
        seen_by_customer = {key: payload[key] for key in ("conversation_id", "message_id", "new") if key in payload}
        sends.append((customer_group(conversation.contact_id), layer_message(name, {**seen_by_customer, "event_id": message["id"]})))
    return sends


def _customer_sees(name: str, payload: dict) -> bool:
    if name == "message.created":
        return payload.get("kind") in PUBLIC_KINDS
    return name in ("message.received", "conversation.status_changed")


def push_event(name: str, payload: dict) -> None:
    """Subscriber: send the event to the groups it concerns (see `deliveries`)."""
    layer = get_channel_layer()
    if layer is None or getattr(layer, "reaches_nobody", lambda: False)():
        return
    sends = deliveries(name, payload)
    if not sends:
        return
    if isinstance(layer, InMemoryChannelLayer):
        # The embedded default's layer belongs to the loop of the process's sockets: reach it from there.
        async_to_sync(_send_all)(layer, sends)
    else:
        # A shared layer (Redis) is reachable from any loop. Outside a web request async_to_sync would
        # start a loop, a thread and a connection to Redis for every event; this loop keeps them.
        asyncio.run_coroutine_threadsafe(_send_all(layer, sends), _push_loop()).result(PUSH_TIMEOUT_SECONDS)


PUSH_TIMEOUT_SECONDS = 10
_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _push_loop() -> asyncio.AbstractEventLoop:
    """Return this process's event loop for pushes to a shared layer, started on first use."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="parley-push", daemon=True).start()
        return _loop


async def _send_all(layer, sends: list[tuple[str, dict]]) -> None:
    # The embedded default's layer writes an event's messages in one transaction rather than one each.
    if hasattr(layer, "group_send_many"):
        await layer.group_send_many(sends)
        return
    for group, message in sends:
        await layer.group_send(group, message)
