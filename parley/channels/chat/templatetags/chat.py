"""The chat visitor's card in the agent's customer panel: shop context, pages, device, and the chat's buttons."""
from django import template

from parley.accounts.models import Team
from parley.accounts.selectors import agent_list
from parley.channels.chat.selectors import visitor_of_conversation

register = template.Library()


def device_of(user_agent: str) -> str:
    """Return a readable device from a User-Agent ("Mobile · Chrome"), enough for an agent to picture the visitor."""
    ua = user_agent or ""
    kind = "Tablet" if "iPad" in ua or "Tablet" in ua else "Mobile" if "Mobi" in ua or "Android" in ua else "Desktop"
    for name, mark in (("Edge", "Edg/"), ("Firefox", "Firefox/"), ("Chrome", "Chrome/"), ("Safari", "Safari/")):
        if mark in ua:
            return f"{kind} · {name}"
    return kind


@register.inclusion_tag("chat/_visitor_card.html", takes_context=True)
def chat_visitor_card(context, conversation):
    visitor = visitor_of_conversation(conversation=conversation) if conversation else None
    if visitor is None:
        return {"visitor": None}
    shop = visitor.context or {}
    cart = shop.get("cart") if isinstance(shop.get("cart"), dict) else {}
    items = [item for item in cart.get("items", []) if isinstance(item, dict)] if isinstance(cart.get("items"), list) else []
    known = {"cart", "order", "page"}
    return {
        "visitor": visitor, "conversation": conversation, "cart": cart, "items": items,
        "order": shop.get("order") if isinstance(shop.get("order"), dict) else None,
        "other_context": {key: value for key, value in shop.items() if key not in known},
        "current_page": visitor.pages[-1] if visitor.pages else None, "pages": list(reversed(visitor.pages[:-1]))[:8],
        "device": device_of(visitor.user_agent), "rating": getattr(conversation, "chat_rating", None),
        "agents": agent_list(), "teams": Team.objects.all(), "csrf_token": context.get("csrf_token"),
    }

