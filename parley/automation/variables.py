"""{{variables}} in canned responses, macro replies and rule replies: an explicit substitution, nothing else.

Only the names below are filled in, from the conversation, its customer and the agent; no
template tags, filters or attribute access run, so a response written by one person cannot
read anything else. Unknown names are refused when the text is saved; a value that is missing
when it is used (a custom field not set on this conversation) becomes empty.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

VARIABLE = re.compile(r"{{\s*([A-Za-z0-9_.-]+)\s*}}")

NAMES = {
    "contact.name": _("the customer's name"),
    "contact.first_name": _("the customer's first name"),
    "contact.email": _("the customer's email"),
    "contact.phone": _("the customer's phone"),
    "conversation.number": _("the conversation's number"),
    "conversation.subject": _("the conversation's subject"),
    "conversation.status": _("the conversation's status"),
    "conversation.priority": _("the conversation's priority"),
    "agent.name": _("the agent's name (the assignee, for rules)"),
    "agent.first_name": _("the agent's first name"),
    "company.name": _("your company's name"),
}
PREFIXES = {
    "conversation.custom_fields.": _("a custom field of the conversation, e.g. conversation.custom_fields.order_number"),
    "contact.attributes.": _("an attribute of the customer, e.g. contact.attributes.plan"),
}


def unknown_variables(text: str) -> list[str]:
    """Return the {{names}} in `text` that are not variables."""
    return [name for name in VARIABLE.findall(text)
            if name not in NAMES and not any(name.startswith(p) and len(name) > len(p) for p in PREFIXES)]


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def values_for(conversation, agent=None) -> dict[str, str]:
    contact = conversation.contact
    agent_name = str(agent) if agent is not None and getattr(agent, "pk", None) else ""
    return {
        "contact.name": contact.name,
        "contact.first_name": _first(contact.name),
        "contact.email": contact.email,
        "contact.phone": contact.phone,
        "conversation.number": str(conversation.pk),
        "conversation.subject": conversation.subject,
        "conversation.status": conversation.get_status_display(),
        "conversation.priority": conversation.get_priority_display(),
        "agent.name": agent_name,
        "agent.first_name": _first(agent_name),
        "company.name": settings.PARLEY_COMPANY_NAME,
    }


def render(text: str, *, conversation, agent=None) -> str:
    """Return `text` with every variable replaced by its value for this conversation (and agent)."""
    if "{{" not in text:
        return text
    values = values_for(conversation, agent)

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        for prefix, source in (("conversation.custom_fields.", conversation.custom_fields),
                               ("contact.attributes.", conversation.contact.custom_attributes)):
            if name.startswith(prefix):
                found = (source or {}).get(name[len(prefix):])
                return "" if found is None else str(found)
        return match.group(0)

    return VARIABLE.sub(value, text)
