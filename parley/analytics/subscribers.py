"""Analytics subscribers to domain events (registered in parley/subscriptions.py): keep facts and sentiment current."""
from parley.analytics.services import fact_refresh, message_sentiment_record

#: Events after which a conversation's measures may have changed; a customer's message (message.received)
#: refreshes them through score_message, which scores it first. A breach's timeline event publishes no
#: message.created, hence sla.breached. An answer to a survey about a conversation joins its answer facts.
FACT_EVENTS = ("conversation.created", "conversation.updated", "conversation.assigned", "conversation.status_changed",
               "conversation.merged", "message.created", "sla.breached", "survey.answered")


def refresh_facts(name: str, payload: dict) -> None:
    # An NPS campaign's survey is about no conversation.
    if payload["conversation_id"] is not None:
        fact_refresh(conversation_id=payload["conversation_id"])


def score_message(name: str, payload: dict) -> None:
    """Score a customer's message and refresh its conversation's facts."""
    message_sentiment_record(message_id=payload["message_id"])
