"""Template tags the workspace uses to show automation on the conversation page."""
from django import template

from parley.accounts.permissions import can
from parley.automation import selectors

register = template.Library()


@register.inclusion_tag("automation/_macro_menu.html", takes_context=True)
def macro_menu(context, conversation):
    """The Macros box: pick one and apply it (shown to those who may change the conversation)."""
    user = context["request"].user
    macros = list(selectors.macro_list()) if can(user, "conversation.update") else []
    return {"macros": macros, "conversation": conversation, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def switched_off_webhook_count() -> int:
    """How many webhooks Parley switched off after repeated failures: a notice for admins in the sidebar."""
    return selectors.webhooks_switched_off().count()
