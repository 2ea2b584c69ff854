"""Each customer message is scored by the worker; the score shows on the conversation and in reports."""
from django.test import Client
from django.utils import timezone

from parley.analytics.kpis import Scope, kpi_values
from parley.analytics.selectors import conversation_sentiment
from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive


def _receive(inbox, text, n, conversation_id=None):
    return message_receive(inbox=inbox, inbound=InboundMessage(external_id=f"s{n}", identity_kind="external_id",
                                                               source_id="cust", text=text, conversation_id=conversation_id))


def test_customer_messages_are_scored_and_shown_on_the_conversation(api_inbox, admin, run_due_jobs):
    angry = _receive(api_inbox, "This is terrible, my order is broken and I am furious.", 1)
    conversation = angry.conversation
    assert conversation_sentiment(conversation_id=conversation.pk) == {"last": None, "average": None}
    while run_due_jobs():
        pass
    _receive(api_inbox, "Thanks, great help, I love it!", 2, conversation_id=conversation.pk)
    while run_due_jobs():
        pass
    client = Client()
    client.force_login(admin)

    page = client.get(f"/c/{conversation.pk}/").content.decode()
    sentiment = conversation_sentiment(conversation_id=conversation.pk)

    assert page.count("sentiment-negative") == 1 and page.count("sentiment-positive") == 1
    assert sentiment["last"] > 0.5 and -0.2 < sentiment["average"] < 0.2
    today = timezone.localdate()
    reported = {r["key"]: r["value"] for r in kpi_values(Scope(start=today, end=today))}["sentiment"]
    assert reported == round(sentiment["average"], 2)


def test_a_message_scored_twice_counts_once_in_the_reports(api_inbox, run_due_jobs):
    from parley.analytics.models import ConversationFact, DailyRollup, MessageSentiment
    from parley.analytics.services import message_sentiment_record

    first = _receive(api_inbox, "This is terrible, my order is broken.", 1)
    second = _receive(api_inbox, "Thanks, great help!", 2, conversation_id=first.conversation_id)
    while run_due_jobs():
        pass
    # At-least-once delivery: the subscriber may run again on a message it already scored.
    message_sentiment_record(message_id=second.pk)
    message_sentiment_record(message_id=first.pk)

    fact = ConversationFact.objects.get(conversation_id=first.conversation_id)
    scores = [MessageSentiment.objects.get(message=m).score for m in (first, second)]
    assert scores[0] < 0 < scores[1]
    assert fact.sentiment_count == 2 and abs(fact.sentiment_total - sum(scores)) < 1e-9
    # Every dimension's row of the day counts them: the channel's, the inbox's, the team's and the assignee's, and the
    # rows of the pairs of them a dashboard reads at once (no tags here).
    rows = DailyRollup.objects.filter(day=fact.day)
    assert rows.count() == 4 + 6
    for row in rows:
        assert row.sentiment_count == 2 and abs(row.sentiment_total - sum(scores)) < 1e-9
