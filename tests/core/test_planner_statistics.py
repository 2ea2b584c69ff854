"""SQLite's planner is given statistics on the tables and indexes, by a daily schedule and after every migrate."""
import pytest
from django.db import connection

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive
from parley.core import jobs


@pytest.mark.sqlite
def test_the_daily_schedule_takes_statistics_the_inbox_indexes_are_chosen_by(api_inbox):
    message_receive(inbox=api_inbox, inbound=InboundMessage(external_id="stats-1", identity_kind="external_id",
                                                            source_id="c-1", text="Where is my parcel?"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")

    ran = jobs.run_schedules()

    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'conversations_conversation'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert "parley.core.tasks.planner_statistics_refresh" in ran
    assert {"conversation_assignee_lma_idx", "conversation_live_counts_idx"} <= indexes
