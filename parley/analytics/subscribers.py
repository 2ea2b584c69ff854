"""Analytics subscribers to domain events (registered in parley/subscriptions.py): keep facts and sentiment current."""
from parley.analytics.services import fact_refresh, message_sentiment_record

#: Events after which a conversation's measures may have changed.
FACT_EVENTS = ("conversation.created", "conversation.updated", "conversation.assigned", "conversation.status_changed",
               "conversation.merged", "message.received", "message.created")


def refresh_facts(name: str, payload: dict) -> None:
    fact_refresh(conversation_id=payload["conversation_id"])


def score_message(name: str, payload: dict) -> None:
    message_sentiment_record(message_id=payload["message_id"])
