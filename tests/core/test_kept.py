"""Settings rows a process keeps: read once, forgotten when saved here, trusted for a moment when changed elsewhere."""
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.bot.services import inboxes_with_a_bot
from parley.bot.models import BotSettings
from parley.channels.services import inbox_create
from parley.core import kept as kept_module
from parley.sla.services import active_policies, sla_policy_save


def _queries(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        value = call()
    return value, len(captured.captured_queries)


def test_a_kept_value_is_read_once_then_answered_from_the_process(db):
    inbox = inbox_create(name="Shop chat", kind="api")
    BotSettings.objects.create(inbox=inbox, enabled=True)

    first, reads = _queries(inboxes_with_a_bot)
    again, reads_again = _queries(inboxes_with_a_bot)

    assert first == again == {inbox.pk}
    assert (reads, reads_again) == (1, 0)


def test_saving_a_row_in_this_process_counts_at_once(db, admin):
    assert active_policies() == ()

    policy = sla_policy_save(actor=admin, name="Gold", first_response_minutes=60)
    assert [p.name for p in active_policies()] == ["Gold"]

    sla_policy_save(actor=admin, policy=policy, name="Gold", is_active=False, first_response_minutes=60)
    assert active_policies() == ()


def test_a_change_made_by_another_process_counts_once_the_kept_time_is_up(db, monkeypatch):
    inbox = inbox_create(name="Shop chat", kind="api")
    assert inboxes_with_a_bot() == frozenset()
    # Another process's save sends no signal here: a bulk insert does not either.
    BotSettings.objects.bulk_create([BotSettings(inbox=inbox, enabled=True)])
    assert inboxes_with_a_bot() == frozenset()

    later = kept_module.time.monotonic() + settings.PARLEY_KEPT_SECONDS + 1
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: later)
    assert inboxes_with_a_bot() == {inbox.pk}
