"""Business time on a calendar: weekends, holidays, time zones and DST changes, on fixed instants."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from parley.routing.hours import (
    NeverOpen, WeeklySchedule, add_business_minutes, add_minutes, business_minutes_between, parse_clock,
)

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def office(**kwargs) -> WeeklySchedule:
    return WeeklySchedule.from_hours("Europe/Berlin", OFFICE, **kwargs)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_minutes_inside_one_working_day_are_plain_minutes():
    assert add_business_minutes(office(), berlin(2026, 3, 4, 10, 0), 90) == berlin(2026, 3, 4, 11, 30)


def test_a_friday_afternoon_clock_resumes_on_monday_morning():
    # Friday 16:00 + 2 business hours: one hour on Friday, one on Monday.
    assert add_business_minutes(office(), berlin(2026, 3, 6, 16, 0), 120) == berlin(2026, 3, 9, 10, 0)


def test_a_clock_started_at_night_starts_at_the_next_opening():
    assert add_business_minutes(office(), berlin(2026, 3, 7, 23, 0), 30) == berlin(2026, 3, 9, 9, 30)
    assert add_business_minutes(office(), berlin(2026, 3, 9, 7, 0), 0) == berlin(2026, 3, 9, 9, 0)


def test_one_off_and_yearly_holidays_are_skipped():
    schedule = office(holidays={date(2026, 3, 9)}, yearly_holidays={(3, 10)})
    # Friday 16:30 + 1 h: half an hour on Friday; Monday (one-off) and Tuesday (every year) are closed.
    assert add_business_minutes(schedule, berlin(2026, 3, 6, 16, 30), 60) == berlin(2026, 3, 11, 9, 30)
    # The yearly holiday closes the same day next year too.
    assert not schedule.is_open(berlin(2027, 3, 10, 12, 0))
    assert schedule.is_open(berlin(2027, 3, 9, 12, 0))


def test_office_hours_keep_their_wall_clock_times_across_the_spring_change():
    # Clocks move 02:00→03:00 on Sunday 29 March 2026; Monday still opens at 09:00 local, now UTC+2.
    friday = berlin(2026, 3, 27, 16, 0)
    due = add_business_minutes(office(), friday, 120)
    assert due == berlin(2026, 3, 30, 10, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_a_day_open_around_the_clock_lasts_23_hours_in_spring_and_25_in_autumn():
    always = WeeklySchedule.from_hours("Europe/Berlin", {d: [["00:00", "24:00"]] for d in
                                                          ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    assert business_minutes_between(always, berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0)) == 23 * 60
    assert business_minutes_between(always, berlin(2026, 10, 25, 0, 0), berlin(2026, 10, 26, 0, 0)) == 25 * 60
    # Around the clock, business minutes are real elapsed minutes, whatever the wall clock does.
    start = berlin(2026, 3, 28, 22, 0)
    assert add_business_minutes(always, start, 6 * 60) == start.astimezone(UTC) + timedelta(hours=6)


def test_the_same_instant_is_open_in_one_time_zone_and_closed_in_another():
    instant = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # 21:00 in Berlin, 15:00 in New York
    assert not office().is_open(instant)
    assert WeeklySchedule.from_hours("America/New_York", OFFICE).is_open(instant)


def test_minutes_between_counts_only_open_time_and_is_signed():
    a, b = berlin(2026, 3, 6, 16, 0), berlin(2026, 3, 9, 10, 0)
    assert business_minutes_between(office(), a, b) == 120
    assert business_minutes_between(office(), b, a) == -120
    assert business_minutes_between(office(), berlin(2026, 3, 7, 1, 0), berlin(2026, 3, 8, 23, 0)) == 0


def test_without_a_calendar_time_is_calendar_time():
    start = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    assert add_minutes(None, start, 90) == start + timedelta(minutes=90)


def test_a_calendar_that_is_never_open_says_so():
    with pytest.raises(NeverOpen):
        add_business_minutes(WeeklySchedule.from_hours("UTC", {}), berlin(2026, 3, 4, 10, 0), 1)


@pytest.mark.parametrize("hours, problem", [
    ({"mon": [["17:00", "09:00"]]}, "ends before it starts"),
    ({"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
    ({"mon": [["9am", "17:00"]]}, "not a time"),
    ({"mon": [["09:00", "25:00"]]}, "not a time of day"),
])
def test_bad_opening_hours_are_refused_with_the_reason(hours, problem):
    with pytest.raises(ValueError, match=problem):
        WeeklySchedule.from_hours("UTC", hours)


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(Exception, match="Mars"):
        WeeklySchedule.from_hours("Mars/Olympus", OFFICE)


def test_parse_clock_reads_the_end_of_the_day():
    assert parse_clock("24:00") == 1440 and parse_clock("07:05") == 425


SPLIT = WeeklySchedule.from_hours("America/New_York", {
    "mon": [["08:00", "12:00"], ["13:00", "18:30"]], "tue": [["08:00", "18:00"]], "wed": [["00:00", "24:00"]],
    "fri": [["10:00", "14:00"]], "sat": [["01:30", "03:30"]]}, holidays={date(2026, 11, 26)}, yearly_holidays={(12, 25)})
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(start=instants, minutes=st.integers(min_value=0, max_value=10_000))
def test_adding_then_measuring_gives_back_the_minutes(start, minutes):
    # Across DST changes in New York, holidays, split days and short Saturday nights.
    due = add_business_minutes(SPLIT, start, minutes)
    assert due >= start
    assert business_minutes_between(SPLIT, start, due) == pytest.approx(minutes)
    if minutes:
        assert SPLIT.is_open(due - timedelta(seconds=1))
