"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe, subscribe_durable
from parley.realtime.push import push_event
from parley.routing import subscribers as routing
from parley.sla import subscribers as sla


def _acknowledge(name: str, payload: dict) -> None:
    from parley.channels.services import conversation_acknowledge

    conversation_acknowledge(conversation_id=payload["conversation_id"])


def _notify_assignment(name: str, payload: dict) -> None:
    from parley.desk.services import notify_assignment

    notify_assignment(conversation_id=payload["conversation_id"], assignee_id=payload["assignee_id"], actor=payload["actor"])


def _notify_customer_message(name: str, payload: dict) -> None:
    from parley.desk.services import notify_customer_message

    notify_customer_message(conversation_id=payload["conversation_id"], message_id=payload["message_id"])


def _bot_answer(name: str, payload: dict) -> None:
    from parley.bot.services import bot_handle_message

    bot_handle_message(message_id=payload["message_id"], inbox_id=payload.get("inbox_id"))


def _offer_queued_call(name: str, payload: dict) -> None:
    from parley.channels.voice.services import queue_offer_to_agent

    if payload["availability"] == "online":
        queue_offer_to_agent(agent_id=payload["agent_id"])


def register_all() -> None:
    # Every process pushes through the channel layer, which reaches every web process's sockets (ADR 0005).
    for name in EVENTS:
        subscribe(name, push_event)
    subscribe_durable("conversation.created", "acknowledge", _acknowledge)
    subscribe_durable("conversation.created", "routing", routing.route_new)
    subscribe_durable("message.received", "routing", routing.route_new)
    subscribe_durable("agent.availability_changed", "routing", routing.agent_available)
    subscribe_durable("agent.availability_changed", "voice-queue", _offer_queued_call)
    subscribe_durable("conversation.status_changed", "routing", routing.conversation_finished)
    subscribe_durable("conversation.assigned", "routing", routing.assignment_changed)
    for name in ("conversation.created", "message.received", "conversation.updated"):
        subscribe_durable(name, "sla", sla.refresh)
    subscribe_durable("message.created", "sla", sla.reply_sent)
    subscribe_durable("conversation.status_changed", "sla", sla.status_changed)
    subscribe_durable("calendar.updated", "sla", sla.calendar_changed)
    subscribe_durable("conversation.assigned", "notify-assignment", _notify_assignment)
    subscribe_durable("message.received", "notify-customer-message", _notify_customer_message)
    subscribe_durable("message.received", "bot", _bot_answer)
    _register_surveys_and_analytics()
    _automation()


def _automation() -> None:
    # Every registered event, including those added later: one job per event queues its webhook deliveries and runs
    # the triggers of the ones about a conversation.
    from parley.automation.services.rules import automation_on_event

    for name in EVENTS:
        subscribe_durable(name, "automation", automation_on_event)


def _register_surveys_and_analytics() -> None:
    from parley.analytics import subscribers as analytics
    from parley.surveys import subscribers as surveys

    for name in surveys.EVENTS:
        subscribe_durable(name, "surveys", surveys.ask_when_due)
    for name in analytics.FACT_EVENTS:
        subscribe_durable(name, "analytics.facts", analytics.refresh_facts)
    subscribe_durable("message.received", "analytics.sentiment", analytics.score_message)
