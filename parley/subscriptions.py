"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe, subscribe_durable
from parley.realtime.push import push_event


def _acknowledge(name: str, payload: dict) -> None:
    from parley.channels.services import conversation_acknowledge

    conversation_acknowledge(conversation_id=payload["conversation_id"])


def register_all() -> None:
    # Every process pushes through the channel layer, which reaches every web process's sockets (ADR 0005).
    for name in EVENTS:
        subscribe(name, push_event)
    subscribe_durable("conversation.created", "acknowledge", _acknowledge)
    _automation()


def _automation() -> None:
    # Every registered event, including those added later: one job per event queues its webhook deliveries and runs
    # the triggers of the ones about a conversation.
    from parley.automation.services.rules import automation_on_event

    for name in EVENTS:
        subscribe_durable(name, "automation", automation_on_event)
