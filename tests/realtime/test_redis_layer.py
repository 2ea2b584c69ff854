"""With REDIS_URL: a socket whose queue is full is told to resync instead of losing updates silently."""
import asyncio
import os
import uuid

import pytest

from parley.realtime.redis_layer import ResyncingRedisChannelLayer

pytestmark = pytest.mark.servers

# Redis always runs where the tests do; CI's second pass names its own database.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"


def _layer(prefix: str, **config) -> ResyncingRedisChannelLayer:
    return ResyncingRedisChannelLayer(hosts=[REDIS_URL], prefix=prefix, **config)


@pytest.fixture
def prefix():
    """Keys of this test's own: flush() deletes every key under the prefix, and others may share this Redis."""
    return f"test-{uuid.uuid4().hex}"


async def _receive(layer, channel, count: int) -> list[dict]:
    return [await asyncio.wait_for(layer.receive(channel), 10) for _ in range(count)]


def test_a_full_socket_reads_what_was_queued_then_one_resync_while_one_with_room_gets_everything(run_async, prefix):
    group = f"inbox-{uuid.uuid4().hex}"
    # Two web processes: the agent's socket in `web` fills up at 5; the one in `other` has room for 100.
    web = _layer(prefix, capacity=5, channel_capacity={"roomy.*": 100})
    other = _layer(prefix, capacity=5)

    async def scenario():
        desk = await web.new_channel()
        roomy = await other.new_channel("roomy")
        await web.group_add(group, desk)
        await web.group_add(group, roomy)
        try:
            for n in range(8):  # a burst while the agent's socket is busy: three do not fit
                await web.group_send(group, {"type": "parley.event", "n": n})
            desk_got = await _receive(web, desk, 6)
            roomy_got = await _receive(other, roomy, 8)
            await web.group_send(group, {"type": "parley.event", "n": 8})
            desk_got += await _receive(web, desk, 1)
            return desk_got, roomy_got
        finally:
            await web.flush()
            await other.close_pools()

    desk_got, roomy_got = run_async(scenario())
    assert [m.get("n") for m in desk_got[:5]] == [0, 1, 2, 3, 4]
    assert desk_got[5] == {"type": "parley.resync"}
    # Told once for three losses, and what comes next arrives as usual.
    assert desk_got[6] == {"type": "parley.event", "n": 8}
    assert [m["n"] for m in roomy_got] == list(range(8))


def test_every_socket_of_a_process_behind_is_told_once_per_group(run_async, prefix):
    # A process's sockets share one queue in Redis: when it is full, each of them lost the message.
    group = f"inbox-{uuid.uuid4().hex}"
    web = _layer(prefix, capacity=4)

    async def scenario():
        first, second = await web.new_channel(), await web.new_channel()
        await web.group_add(group, first)
        await web.group_add(group, second)
        try:
            for n in range(6):
                await web.group_send(group, {"type": "parley.event", "n": n})
            return await _receive(web, first, 5), await _receive(web, second, 5)
        finally:
            await web.flush()

    for got in run_async(scenario()):
        assert got == [{"type": "parley.event", "n": n} for n in range(4)] + [{"type": "parley.resync"}]


def test_a_socket_lagging_behind_its_neighbours_in_one_process_is_told_to_resync(run_async, prefix):
    # Redis has room for the process (100), but the lagging socket's own buffer in it holds 4: a neighbour that
    # keeps reading moves every message into that buffer.
    group = f"inbox-{uuid.uuid4().hex}"
    web = _layer(prefix, capacity=4, channel_capacity={"specific.*": 100})

    async def scenario():
        reading, lagging = await web.new_channel(), await web.new_channel()
        await web.group_add(group, reading)
        await web.group_add(group, lagging)
        try:
            for n in range(8):
                await web.group_send(group, {"type": "parley.event", "n": n})
                await _receive(web, reading, 1)
            lagging_got = await _receive(web, lagging, 5)
            await web.group_send(group, {"type": "parley.event", "n": 8})
            lagging_got += await _receive(web, lagging, 1)
            return lagging_got
        finally:
            await web.flush()

    lagging_got = run_async(scenario())
    assert lagging_got[:4] == [{"type": "parley.event", "n": n} for n in (4, 5, 6, 7)]
    assert lagging_got[4:] == [{"type": "parley.resync"}, {"type": "parley.event", "n": 8}]


def test_a_configuration_that_would_make_every_marker_different_is_refused(prefix):
    with pytest.raises(ValueError, match="symmetric_encryption_keys"):
        _layer(prefix, symmetric_encryption_keys=["secret"])
