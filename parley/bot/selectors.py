"""What the bot report shows: how many conversations the bot kept, and how its turns ended."""
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from parley.bot.models import HANDOVER_OUTCOMES, BotSettings, BotTurn, Outcome


def bot_settings_for(inbox) -> BotSettings:
    return BotSettings.objects.filter(inbox=inbox).first() or BotSettings(inbox=inbox)


def bot_report(*, days: int = 30) -> dict:
    """Containment (conversations the bot answered and never handed over) and turns by outcome over `days`."""
    since = timezone.now() - timedelta(days=days)
    turns = BotTurn.objects.filter(created_at__gte=since)
    by_outcome = dict(turns.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    conversations = set(turns.values_list("conversation_id", flat=True))
    handed_over = set(turns.filter(outcome__in=HANDOVER_OUTCOMES).values_list("conversation_id", flat=True))
    contained = len(conversations - handed_over)
    return {
        "days": days,
        "conversations": len(conversations),
        "contained": contained,
        "containment_rate": contained / len(conversations) if conversations else None,
        "outcomes": [(Outcome(value).label, by_outcome.get(value, 0)) for value in Outcome.values],
        "recent": list(turns.select_related("conversation")[:20]),
    }
