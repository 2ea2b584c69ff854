"""Whether a voice inbox is open now: the IVR's business-hours branch asks this and nothing else.

Today it reads the inbox's own opening hours (days, opening and closing time, time zone); when
business calendars exist this is the one function to point at them.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def business_open(inbox_settings: dict, at: datetime | None = None) -> bool:
    """Tell whether `at` (default now) falls in the inbox's opening hours, in its time zone."""
    local = (at or timezone.now()).astimezone(ZoneInfo(inbox_settings.get("time_zone") or "UTC"))
    if DAYS[local.weekday()] not in inbox_settings.get("open_days", DAYS[:5]):
        return False
    now = local.strftime("%H:%M")
    return inbox_settings.get("opens_at", "09:00") <= now < inbox_settings.get("closes_at", "17:00")
