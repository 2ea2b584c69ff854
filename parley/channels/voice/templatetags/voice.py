"""Template tags of the telephony screens: a customer's calls, durations as m:ss."""
from django import template

from parley.channels.voice import selectors

register = template.Library()

#: Calls listed on a customer's panel; the call log has the rest.
PANEL_CALLS = 10


@register.simple_tag
def contact_calls(contact_id: int):
    return list(selectors.call_list(contact_id=contact_id)[:PANEL_CALLS])


@register.filter
def seconds(value) -> str:
    """Show a number of seconds as m:ss ("—" when unknown)."""
    if value is None:
        return "—"
    value = int(value)
    return f"{value // 60}:{value % 60:02d}"
