"""Reads of the automation app: rules, canned responses matching what an agent types, macros, webhook logs."""
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext

from parley.accounts.models import Team, User
from parley.automation import definitions
from parley.automation.models import CannedResponse, Macro, Rule, RuleFiring, Webhook, WebhookAttempt, WebhookDelivery


def rule_list():
    return Rule.objects.annotate(firing_count=Count("firings"))


def rule_builder_vocabulary() -> dict:
    """Return the rule builder's lists: what rules may say, and the agents, teams, canned responses and webhooks to name."""
    agents = [{"value": u.email, "label": f"{u.name} <{u.email}>"} for u in User.objects.filter(is_active=True).order_by("name")]
    named = {
        "agents": agents,
        "teams": [{"value": name, "label": name} for name in Team.objects.order_by("name").values_list("name", flat=True)],
        "canned_responses": [{"value": c.shortcut, "label": f"/{c.shortcut} — {c.title}"}
                             for c in CannedResponse.objects.order_by("shortcut")],
        "webhooks": [{"value": name, "label": name} for name in Webhook.objects.order_by("name").values_list("name", flat=True)],
        "recipients": [{"value": "assignee", "label": gettext("The assignee")}, {"value": "team", "label": gettext("The team's members")},
                       {"value": "admins", "label": gettext("Every admin")}, *agents],
    }
    return {**definitions.builder_vocabulary(), "names": named}


def rule_recent_firings(*, rule: Rule, limit: int = 20):
    return RuleFiring.objects.filter(rule=rule).select_related("conversation").order_by("-fired_at", "-id")[:limit]


def canned_response_search(*, text: str = "", limit: int = 10):
    """Canned responses whose shortcut starts with, or title contains, what the agent typed after "/"."""
    text = text.strip().lstrip("/").lower()
    found = CannedResponse.objects.all()
    if text:
        found = found.filter(Q(shortcut__startswith=text) | Q(title__icontains=text))
    return found[:limit]


def macro_list():
    return Macro.objects.all()


def webhook_list():
    return Webhook.objects.annotate(delivery_count=Count("deliveries"))


def webhook_deliveries(*, webhook: Webhook, limit: int = 50):
    """The webhook's latest deliveries with their attempts, newest first: the delivery log."""
    return (WebhookDelivery.objects.filter(webhook=webhook)
            .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("-at", "-id")))[:limit])


def webhooks_switched_off():
    return Webhook.objects.filter(is_active=False, disabled_at__isnull=False)
