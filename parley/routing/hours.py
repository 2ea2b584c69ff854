"""Business time: when a calendar is open, and clocks that only run while it is.

Pure functions over a `WeeklySchedule` (no database): routing asks `is_open`, SLAs ask
`add_business_minutes` and `business_minutes_between`. Opening hours are wall-clock times in
the calendar's own time zone, so a 09:00–17:00 day stays 09:00–17:00 across a DST change,
and a day open around the clock lasts 23 or 25 hours on the days the clocks move.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Kept translations: the API's `extra` repeats the problem in English (see routing.services).
from parley.core.i18n import gettext

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
#: Far enough to cross any run of holidays; a calendar never open in that span has no business time at all.
SEARCH_DAYS = 800


class NeverOpen(ValueError):
    """The calendar has no open hour to run a clock in."""


def parse_clock(text: str) -> int:
    """Return minutes after midnight for "HH:MM" ("24:00" is the end of the day); raise ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(gettext("“%(text)s” is not a time like 09:00") % {"text": text})
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise ValueError(gettext("“%(text)s” is not a time of day") % {"text": text})
    return value


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class WeeklySchedule:
    """Opening hours per weekday (Monday first) as (start, end) minutes after local midnight, and holidays."""

    time_zone: str
    #: Seven tuples of (start, end) ranges, sorted and not overlapping.
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    #: (month, day) closed every year.
    yearly_holidays: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError("a week has seven days")
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @classmethod
    def from_hours(cls, time_zone: str, hours: dict[str, list[list[str]]], holidays=(), yearly_holidays=()) -> WeeklySchedule:
        """Build from {"mon": [["09:00", "17:00"]], …}; days left out are closed. Raise ValueError on bad ranges."""
        weekly = []
        for day in WEEKDAYS:
            ranges = sorted((parse_clock(start), parse_clock(end)) for start, end in hours.get(day, []))
            for (start, end), following in zip(ranges, ranges[1:] + [(MINUTES_PER_DAY + 1, 0)]):
                if end <= start:
                    raise ValueError(gettext("%(day)s: %(start)s–%(end)s ends before it starts")
                                     % {"day": day, "start": format_clock(start), "end": format_clock(end)})
                if following[0] < end:
                    raise ValueError(gettext("%(day)s: opening hours overlap") % {"day": day})
            weekly.append(tuple(ranges))
        return cls(time_zone, tuple(weekly), frozenset(holidays), frozenset(yearly_holidays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays or (day.month, day.day) in self.yearly_holidays

    @functools.lru_cache(maxsize=4096)
    def open_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Return the day's open intervals as UTC datetimes (empty on holidays and closed days)."""
        if self.is_holiday(day):
            return ()
        zone = self.zone
        midnight = datetime.combine(day, time.min, tzinfo=zone)
        return tuple((_wall(midnight, start), _wall(midnight, end)) for start, end in self.weekly[day.weekday()])

    def is_open(self, at: datetime) -> bool:
        day = at.astimezone(self.zone).date()
        return any(start <= at < end for start, end in self.open_intervals(day))


def _wall(midnight: datetime, minutes: int) -> datetime:
    """Return the UTC instant of a wall-clock time on midnight's day.

    Arithmetic on a zoneinfo datetime is wall-clock arithmetic, so 09:00 stays 09:00 on DST days;
    a time that does not exist (02:30 while clocks jump 02:00→03:00) maps forward by the gap.
    """
    if minutes == MINUTES_PER_DAY:
        following = (midnight + timedelta(days=1)).replace(tzinfo=midnight.tzinfo)
        return following.astimezone(UTC)
    return (midnight + timedelta(minutes=minutes)).astimezone(UTC)


def _days_from(schedule: WeeklySchedule, at: datetime):
    day = at.astimezone(schedule.zone).date()
    for offset in range(SEARCH_DAYS):
        yield day + timedelta(days=offset)


def add_business_minutes(schedule: WeeklySchedule, start: datetime, minutes: float) -> datetime:
    """Return the instant `minutes` of open time after `start` (at an opening when `minutes` is 0 and it is closed)."""
    remaining = timedelta(minutes=minutes)
    for day in _days_from(schedule, start):
        for opens, closes in schedule.open_intervals(day):
            if closes <= start:
                continue
            begin = max(opens, start)
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
    raise NeverOpen(f"the calendar is not open in the {SEARCH_DAYS} days after {start:%Y-%m-%d}")


def business_minutes_between(schedule: WeeklySchedule, a: datetime, b: datetime) -> float:
    """Return the open minutes from `a` to `b` (negative when `b` is before `a`)."""
    if b < a:
        return -business_minutes_between(schedule, b, a)
    total = timedelta()
    for day in _days_from(schedule, a):
        for opens, closes in schedule.open_intervals(day):
            overlap = min(closes, b) - max(opens, a)
            if overlap > timedelta():
                total += overlap
        if datetime.combine(day + timedelta(days=1), time.min, tzinfo=schedule.zone) >= b:
            break
    return total.total_seconds() / 60


def add_minutes(schedule: WeeklySchedule | None, start: datetime, minutes: float) -> datetime:
    """Add business minutes on a calendar, or plain minutes when there is none (calendar hours)."""
    return start + timedelta(minutes=minutes) if schedule is None else add_business_minutes(schedule, start, minutes)


def minutes_between(schedule: WeeklySchedule | None, a: datetime, b: datetime) -> float:
    """Minutes from `a` to `b` on a calendar, or plain minutes when there is none."""
    return (b - a).total_seconds() / 60 if schedule is None else business_minutes_between(schedule, a, b)
