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
    send = async_to_sync(layer.group_send)
    if payload.get("conversation_id"):
        send(conversation_group(payload["conversation_id"]), message)
    send(WORKSPACE_GROUP, message)
    if name == "agent.mentioned":
        send(agent_group(payload["agent_id"]), message)
