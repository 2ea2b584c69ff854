"""Whether a voice inbox is open now: the IVR's business-hours branch asks this and nothing else.

The business calendar of the inbox's routing (Settings → Routing: the inbox's policy, else its
default team's) decides, with its holidays, as it does for assignment and SLAs. An inbox that
no calendar covers keeps the opening hours in its own settings.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from parley.channels.sms.twilio import plain_settings
from parley.routing.selectors import calendar_for_inbox

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def business_open(inbox, at: datetime | None = None) -> bool:
    """Tell whether `at` (default now) falls in the inbox's business hours."""
    at = at or timezone.now()
    calendar = calendar_for_inbox(inbox=inbox)
    if calendar is not None:
        return calendar.schedule().is_open(at)
    inbox_settings = plain_settings(inbox)
    local = at.astimezone(ZoneInfo(inbox_settings.get("time_zone") or "UTC"))
    if DAYS[local.weekday()] not in inbox_settings.get("open_days", DAYS[:5]):
        return False
    now = local.strftime("%H:%M")
    return inbox_settings.get("opens_at", "09:00") <= now < inbox_settings.get("closes_at", "17:00")
