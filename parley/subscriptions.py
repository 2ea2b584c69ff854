"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe, subscribe_durable
from parley.realtime.push import push_event


def _acknowledge(name: str, payload: dict) -> None:
    from parley.channels.services import conversation_acknowledge

    conversation_acknowledge(conversation_id=payload["conversation_id"])


def _notify_assignment(name: str, payload: dict) -> None:
    from parley.desk.services import notify_assignment

    notify_assignment(conversation_id=payload["conversation_id"], assignee_id=payload["assignee_id"], actor=payload["actor"])


def _notify_customer_message(name: str, payload: dict) -> None:
    from parley.desk.services import notify_customer_message

    notify_customer_message(conversation_id=payload["conversation_id"], message_id=payload["message_id"])


def register_all() -> None:
    # Every process pushes through the channel layer, which reaches every web process's sockets (ADR 0005).
    for name in EVENTS:
        subscribe(name, push_event)
    subscribe_durable("conversation.created", "acknowledge", _acknowledge)
    subscribe_durable("conversation.assigned", "notify-assignment", _notify_assignment)
    subscribe_durable("message.received", "notify-customer-message", _notify_customer_message)
