"""Template helpers of the reports: durations, table rows beside the charts, comparison colours."""
from django import template

from parley.analytics.kpis import display
from parley.analytics.selectors import labelled_rows

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return display(seconds, "seconds")


@register.filter
def series_rows(series: dict):
    return zip(series["labels"], series["current"], series["previous"])


@register.filter
def channel_rows(series: dict):
    return zip(series["labels"], series["values"])


register.filter("labelled_rows", labelled_rows)


@register.simple_tag
def change_class(row: dict) -> str:
    """Green when the change is an improvement, red when it is worse, plain when neither applies."""
    if row["better"] not in ("higher", "lower") or not row["change"]:
        return "change"
    improved = (row["change"] > 0) == (row["better"] == "higher")
    return "change change-good" if improved else "change change-bad"


@register.inclusion_tag("analytics/_sentiment.html")
def sentiment_chip(message):
    """The sentiment of a customer's message, once the worker has scored it."""
    from parley.analytics.models import MessageSentiment
    from parley.analytics.sentiment import sentiment_label

    score = MessageSentiment.objects.filter(message_id=message.pk).values_list("score", flat=True).first()
    return {"score": score, "label": sentiment_label(score)}
