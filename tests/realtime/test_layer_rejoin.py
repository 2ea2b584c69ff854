"""A socket that joins while the process's last socket is leaving still hears the other processes.

Found after the chat widget's tests: their sockets leave together, a visitor's goodbye writes to
the database, and a workspace socket opened just then never got another process's updates.
"""
import asyncio
import threading

from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from parley.realtime.layers import DatabaseChannelLayer
from parley.realtime.models import LayerListener

#: How long another connection keeps the listener row locked, so the leaving tail's delete waits that long.
LOCK_SECONDS = 1.0


def test_a_socket_joining_while_the_last_one_leaves_gets_messages_from_another_process(transactional_db, run_async):
    web, worker = DatabaseChannelLayer(poll_interval=0.05), DatabaseChannelLayer(poll_interval=0.05)
    locked = threading.Event()

    def hold_the_listener_row():
        # A busy database: the row stays locked a moment, as a slow write elsewhere would keep it.
        with transaction.atomic():
            LayerListener.objects.filter(origin=web.origin).update(seen_at=timezone.now())
            locked.set()
            threading.Event().wait(LOCK_SECONDS)
        connection.close()

    async def scenario():
        widget = await web.new_channel()
        await web.group_add("chat-visitor-1", widget)
        while not await sync_to_async(LayerListener.objects.filter(origin=web.origin).exists)():
            await asyncio.sleep(0.01)
        holder = threading.Thread(target=hold_the_listener_row)
        holder.start()
        await asyncio.to_thread(locked.wait, 10)
        await web.group_discard("chat-visitor-1", widget)  # the last socket leaves: the tail stops listening
        await asyncio.sleep(0.3)  # long enough for the tail to notice, well within the lock
        desk = await web.new_channel()
        await web.group_add("inbox-1", desk)  # an agent's socket opens while the stop waits on the row
        await asyncio.to_thread(holder.join)
        await asyncio.sleep(0.5)
        await worker.group_send("inbox-1", {"type": "parley.event", "n": 1})
        try:
            return await asyncio.wait_for(web.receive(desk), 10)
        finally:
            await web.group_discard("inbox-1", desk)
            await web.flush()
            await sync_to_async(lambda: connection.close())()

    assert run_async(scenario())["n"] == 1


def test_a_socket_whose_queue_overflowed_reads_everything_queued_then_is_told_to_resync(transactional_db, run_async):
    layer = DatabaseChannelLayer(capacity=5)

    async def scenario():
        desk = await layer.new_channel()
        await layer.group_add("inbox-1", desk)
        for n in range(8):  # a burst while the agent's socket is busy: three do not fit
            await layer.group_send("inbox-1", {"type": "parley.event", "n": n})
        received = [await asyncio.wait_for(layer.receive(desk), 1) for _ in range(6)]
        await layer.group_send("inbox-1", {"type": "parley.event", "n": 8})
        received.append(await asyncio.wait_for(layer.receive(desk), 1))
        await layer.group_discard("inbox-1", desk)
        await layer.flush()
        await sync_to_async(lambda: connection.close())()
        return received

    received = run_async(scenario())
    assert [m.get("n") for m in received[:5]] == [0, 1, 2, 3, 4]
    assert received[5] == {"type": "parley.resync"}
    assert received[6]["n"] == 8  # told once; what comes next arrives as usual
