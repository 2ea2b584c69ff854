"""The embedded default's channel layer: each process delivers every group message once to its own members."""
import asyncio
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from parley.realtime.layers import DatabaseChannelLayer
from parley.realtime.models import LayerListener, LayerMessage


async def _close_writers_connection():
    # Writes outside a request run on asgiref's one shared thread, whose connection would outlive the test database.
    await sync_to_async(lambda: connection.close())()


def test_a_member_gets_messages_from_its_own_process_and_from_another_each_once(transactional_db, run_async):
    web, worker = DatabaseChannelLayer(poll_interval=0.05), DatabaseChannelLayer(poll_interval=0.05)

    async def scenario():
        channel = await web.new_channel()
        await web.group_add("inbox-1", channel)
        # Writers skip the table until some process holding sockets says it listens.
        while not await sync_to_async(LayerListener.objects.exists)():
            await asyncio.sleep(0.01)
        await worker.group_send("inbox-1", {"type": "parley.event", "n": 1})
        await web.group_send("inbox-1", {"type": "parley.event", "n": 2})
        await worker.group_send("inbox-1", {"type": "parley.event", "n": 3})
        await worker.group_send("inbox-2", {"type": "parley.event", "n": 4})
        received = [await asyncio.wait_for(web.receive(channel), 10) for _ in range(3)]
        await web.flush()
        await _close_writers_connection()
        return received

    received = run_async(scenario())
    # The web process's own message went to its member at once, and the table did not bring it back.
    assert sorted(m["n"] for m in received) == [1, 2, 3]


def test_a_row_committed_after_a_higher_id_is_still_delivered(transactional_db):
    from parley.realtime.layers import _Cursor

    start = timezone.now()
    cursor = _Cursor(origin="this process", since=start)
    assert cursor.read() == []
    first = LayerMessage.objects.create(group="g", message={"n": 1}, origin="worker", created_at=start)
    # Two writers on PostgreSQL: the row that took id first commits after the next one.
    LayerMessage.objects.create(id=first.pk + 2, group="g", message={"n": 3}, origin="worker", created_at=start)
    assert cursor.read() == [("g", {"n": 1}), ("g", {"n": 3})]

    LayerMessage.objects.create(id=first.pk + 1, group="g", message={"n": 2}, origin="worker", created_at=start)

    assert cursor.read() == [("g", {"n": 2})]
    assert cursor.read() == []


def test_rows_older_than_the_retention_are_pruned_by_the_next_writer(transactional_db, run_async):
    LayerListener.objects.create(origin="a web process", seen_at=timezone.now())
    stale = LayerMessage.objects.create(group="g", message={}, origin="gone", created_at=timezone.now() - timedelta(minutes=5))
    layer = DatabaseChannelLayer(retention=60)

    async def send():
        await layer.group_send("g", {"type": "parley.event"})
        await _close_writers_connection()

    run_async(send())

    assert not LayerMessage.objects.filter(pk=stale.pk).exists()
    assert LayerMessage.objects.filter(group="g", origin=layer.origin).count() == 1


def test_with_no_socket_in_any_process_nothing_is_built_or_written(transactional_db, run_async):
    worker = DatabaseChannelLayer()
    LayerListener.objects.create(origin="a web process that died", seen_at=timezone.now() - timedelta(minutes=1))

    assert worker.reaches_nobody()
    run_async(worker.group_send("inbox-1", {"type": "parley.event"}))
    assert not LayerMessage.objects.exists()

    web = DatabaseChannelLayer()

    async def listen():
        await web.group_add("inbox-1", await web.new_channel())
        while not await sync_to_async(LayerListener.objects.filter(origin=web.origin).exists)():
            await asyncio.sleep(0.01)
        await asyncio.sleep(1)  # what the worker last found out about listeners is now stale
        await worker.group_send("inbox-1", {"type": "parley.event"})
        await web.flush()
        await _close_writers_connection()

    run_async(listen())
    assert LayerMessage.objects.filter(origin=worker.origin).count() == 1
    # A process whose last socket left stops counting as a listener.
    assert not LayerListener.objects.filter(origin=web.origin).exists()
