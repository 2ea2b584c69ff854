"""Outside the routing calendar's hours, the bot's hand-over tells the customer when a person will reply."""
from datetime import UTC, date, datetime

import pytest
from parley.bot.services import HANDOVER_TEXT, handover_text
from parley.conversations.models import Conversation, Direction, MessageKind
from parley.routing.models import Holiday
from parley.routing.services import calendar_save, routing_policy_save

WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _calendar(admin, inbox, hours, name="Berlin office"):
    calendar = calendar_save(actor=admin, name=name, time_zone="Europe/Berlin", hours=hours)
    routing_policy_save(actor=admin, strategy="manual", inbox=inbox, calendar=calendar)
    return calendar


@pytest.mark.parametrize(("at", "said"), [
    # Friday 18:00 in Berlin (17:00 UTC in January): the weekend and Monday's bridge day are closed.
    (datetime(2026, 1, 9, 17, 0, tzinfo=UTC), "someone will reply on Tuesday 13 January at 09:00 (Europe/Berlin time)"),
    # Wednesday 06:30 in Berlin: later the same day.
    (datetime(2026, 1, 7, 5, 30, tzinfo=UTC), "someone will reply today at 09:00 (Europe/Berlin time)"),
    # Wednesday 20:00 in Berlin: the next morning.
    (datetime(2026, 1, 7, 19, 0, tzinfo=UTC), "someone will reply tomorrow at 09:00 (Europe/Berlin time)"),
])
def test_closed_hours_name_the_next_opening_in_the_calendars_time(api_inbox, admin, at, said):
    calendar = _calendar(admin, api_inbox, WEEKDAYS)
    Holiday.objects.create(calendar=calendar, date=date(2026, 1, 12), name="Bridge day")

    text = handover_text(Conversation(inbox=api_inbox), at)

    assert said in text and "We're closed right now" in text


def test_within_hours_or_without_a_calendar_the_usual_words(api_inbox, admin):
    conversation = Conversation(inbox=api_inbox)
    assert handover_text(conversation, datetime(2026, 1, 9, 17, 0, tzinfo=UTC)) == HANDOVER_TEXT

    _calendar(admin, api_inbox, WEEKDAYS)
    assert handover_text(conversation, datetime(2026, 1, 7, 10, 0, tzinfo=UTC)) == HANDOVER_TEXT


def test_a_customer_who_asks_for_a_person_while_the_team_is_away_hears_when_it_is_back(bot_inbox, admin, customer_says):
    # Open around the clock except today (a holiday), in Berlin: closed now, open from tomorrow's midnight.
    calendar = _calendar(admin, bot_inbox, ALWAYS)
    Holiday.objects.create(calendar=calendar, date=datetime.now(tz=calendar.schedule().zone).date(), name="Closed today")

    message = customer_says(bot_inbox, "I want to talk to a human")

    conversation = Conversation.objects.get(pk=message.conversation_id)
    last = conversation.messages.filter(direction=Direction.OUTBOUND, kind=MessageKind.REPLY).order_by("id").last()
    assert "We're closed right now; someone will reply tomorrow at 00:00 (Europe/Berlin time)." in last.text
    assert conversation.status == "new" and conversation.assignee_id is None
