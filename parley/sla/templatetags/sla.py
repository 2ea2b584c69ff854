"""Template helpers for SLA due times: "due in 2 h", "overdue 15 min"."""
from django import template
from django.utils import timezone

from parley.sla.selectors import conversation_sla

register = template.Library()


def _span(seconds: int) -> str:
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


@register.filter
def due_label(moment) -> str:
    """Say how long until a due time, or how long it is overdue."""
    if not moment:
        return ""
    seconds = int((moment - timezone.now()).total_seconds())
    return f"due in {_span(seconds)}" if seconds >= 0 else f"overdue {_span(-seconds)}"


@register.filter
def is_overdue(moment) -> bool:
    return bool(moment) and moment <= timezone.now()


@register.simple_tag
def sla_of(conversation):
    """Return the conversation's SLA row (None when no policy applies)."""
    return conversation_sla(conversation_id=conversation.pk)
