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
