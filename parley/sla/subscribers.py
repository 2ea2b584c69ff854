"""What SLAs do when something happens (registered in parley/subscriptions.py; each is idempotent)."""
from parley.conversations.models import Direction
from parley.core.models import Event
from parley.routing.services import calendar_recompute_progress
from parley.sla import services


def refresh(name: str, payload: dict) -> None:
    """Opened, a customer wrote, fields changed: match the policy and compute the due times again."""
    services.conversation_sla_refresh(conversation_id=payload["conversation_id"])


def reply_sent(name: str, payload: dict) -> None:
    if payload["direction"] == Direction.OUTBOUND and payload["kind"] in ("reply", "bot"):
        services.conversation_sla_refresh(conversation_id=payload["conversation_id"])


def status_changed(name: str, payload: dict) -> None:
    at = Event.objects.filter(pk=payload["event_id"]).values_list("created_at", flat=True).first()
    if at is not None:
        services.sla_clock_status_changed(conversation_id=payload["conversation_id"], old=payload["old"],
                                          new=payload["new"], at=at)


def calendar_changed(name: str, payload: dict) -> None:
    calendar_id = payload["calendar_id"]
    services.sla_recompute(calendar_id=calendar_id, progress=lambda done, total: calendar_recompute_progress(
        calendar_id=calendar_id, done=done, total=total))
