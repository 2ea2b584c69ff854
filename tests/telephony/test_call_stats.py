"""Average handle time and abandonment, computed from the call log."""
from datetime import timedelta

from django.utils import timezone

from parley.channels.voice.models import Call, CallOutcome
from parley.channels.voice.selectors import call_stats


def _call(inbox, n: int, outcome: str, *, talk=None, wait=None, direction="inbound", days_ago=0):
    return Call.objects.create(inbox=inbox, call_sid=f"CA{n}", direction=direction, from_number="+14155552671",
                               to_number="+14155550199", outcome=outcome, talk_seconds=talk, wait_seconds=wait,
                               started_at=timezone.now() - timedelta(days=days_ago))


def test_handle_time_averages_answered_calls_and_abandonment_counts_only_callers_who_waited(voice_inbox):
    _call(voice_inbox, 1, CallOutcome.ANSWERED, talk=60, wait=10)
    _call(voice_inbox, 2, CallOutcome.ANSWERED, talk=120, wait=50)
    _call(voice_inbox, 3, CallOutcome.ABANDONED, wait=200)
    _call(voice_inbox, 4, CallOutcome.VOICEMAIL)
    _call(voice_inbox, 5, CallOutcome.ENDED_IN_MENU)
    _call(voice_inbox, 6, CallOutcome.ANSWERED, talk=999, direction="outbound")  # agents' own calls are not handle time
    _call(voice_inbox, 7, CallOutcome.ABANDONED, wait=30, days_ago=20)  # outside the period

    stats = call_stats(since=timezone.now() - timedelta(days=14))

    assert (stats["calls"], stats["answered"], stats["abandoned"], stats["voicemail"]) == (5, 2, 1, 1)
    assert stats["average_handle_seconds"] == 90 and stats["average_wait_seconds"] == 30
    assert stats["abandonment_rate"] == 1 / 3


def test_with_no_calls_there_is_no_rate_to_show(voice_inbox):
    stats = call_stats()

    assert stats["abandonment_rate"] is None and stats["average_handle_seconds"] is None
