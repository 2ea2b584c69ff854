"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe, subscribe_durable
from parley.realtime.push import push_event


def _acknowledge(name: str, payload: dict) -> None:
    from parley.channels.services import conversation_acknowledge

    conversation_acknowledge(conversation_id=payload["conversation_id"])


def _bot_answer(name: str, payload: dict) -> None:
    from parley.bot.services import bot_handle_message

    bot_handle_message(message_id=payload["message_id"])


def register_all() -> None:
    # Every process pushes through the channel layer, which reaches every web process's sockets (ADR 0005).
    for name in EVENTS:
        subscribe(name, push_event)
    subscribe_durable("conversation.created", "acknowledge", _acknowledge)
    subscribe_durable("message.received", "bot", _bot_answer)
