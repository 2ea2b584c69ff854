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
    _register_surveys_and_analytics()


def _register_surveys_and_analytics() -> None:
    from parley.analytics import subscribers as analytics
    from parley.surveys import subscribers as surveys

    for name in surveys.EVENTS:
        subscribe_durable(name, "surveys", surveys.ask_when_due)
    for name in analytics.FACT_EVENTS:
        subscribe_durable(name, "analytics.facts", analytics.refresh_facts)
    subscribe_durable("message.received", "analytics.sentiment", analytics.score_message)
