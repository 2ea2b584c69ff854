"""Push domain events to agents' screens over the channel layer."""
import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

WORKSPACE_GROUP = "workspace"


def conversation_group(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"


def agent_group(agent_id: int) -> str:
    return f"agent-{agent_id}"


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


def push_event(name: str, payload: dict) -> None:
    """Subscriber: tell the conversation's viewers, every list and a mentioned agent what happened."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "parley.event", "event": name, "payload": payload}
    groups = [WORKSPACE_GROUP]
    if payload.get("conversation_id"):
        groups.insert(0, conversation_group(payload["conversation_id"]))
    if name == "agent.mentioned":
        groups.append(agent_group(payload["agent_id"]))

    async def send_all() -> None:
        for group in groups:
            await layer.group_send(group, message)

    if isinstance(layer, InMemoryChannelLayer):
        # The layer lives on the web server's event loop: reach it from there.
        async_to_sync(send_all)()
    else:
        # A shared layer (Redis) is reachable from any loop. Outside a web request async_to_sync would
        # start a loop, a thread and a connection to Redis for every event; this loop keeps them.
        asyncio.run_coroutine_threadsafe(send_all(), _push_loop()).result(PUSH_TIMEOUT_SECONDS)
