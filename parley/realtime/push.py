"""Push domain events to agents' screens over the channel layer."""
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

WORKSPACE_GROUP = "workspace"


def conversation_group(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"


def agent_group(agent_id: int) -> str:
    return f"agent-{agent_id}"


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

    # One crossing into async code per event: outside a web request (in a worker) each one
    # starts an event loop in a new thread, with its own connection to the channel layer.
    async_to_sync(send_all)()
