"""Every subscriber to every domain event, registered here and nowhere else."""
from django.conf import settings

from parley.core.events import EVENTS, subscribe, subscribe_durable


def _acknowledge(name: str, payload: dict) -> None:
    from parley.channels.services import conversation_acknowledge

    conversation_acknowledge(conversation_id=payload["conversation_id"])


def register_all() -> None:
    # A worker without a shared channel layer relays events to the web server (see realtime.relay).
    if settings.PARLEY_EVENT_RELAY_URL:
        from parley.realtime.relay import relay_event as push
    else:
        from parley.realtime.push import push_event as push

    for name in EVENTS:
        subscribe(name, push)
    subscribe_durable("conversation.created", "acknowledge", _acknowledge)
