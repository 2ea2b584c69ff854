"""The channel layer with REDIS_URL: channels-redis, except that a socket at capacity is told to resync.

channels-redis's `group_send` drops a message for a channel whose queue is full and only
logs how many were dropped, so that socket shows stale lists without knowing it. This
layer queues one resync marker there instead: a member that is the same bytes every
time, so however many messages are dropped the queue holds one marker (sorted-set members
are unique), and each drop moves it to the newest score, behind everything still queued.
The socket reads what was queued, then `parley.resync`, and its consumer has the page
fetch again. `send` to one full channel still raises ChannelFull, as upstream.

The sockets of one process share one queue in Redis, and whichever of them receives moves
messages into each socket's own buffer in the process. A socket that lags while its
neighbours read loses messages there instead (upstream drops the oldest of a full buffer
silently); its buffer here ends with one `parley.resync` after such a drop.

Follows channels-redis 4.3.0 (the pin in pyproject.toml): `group_send` below is upstream's
with the marker added; check it again when the pin moves.
"""
import collections
import functools
import time
from contextlib import suppress

from channels_redis.core import BoundedQueue, RedisChannelLayer, logger

from parley.realtime.layers import RESYNC

#: Stands where channels-redis puts its random prefix, which keeps each message a distinct member; the marker must not be.
RESYNC_MEMBER_PREFIX = b"parleyresync"

# As upstream's script, but a channel at capacity gets its marker (ARGV[#KEYS + i]) instead of nothing.
GROUP_SEND_LUA = """
    local over_capacity = 0
    local current_time = ARGV[#ARGV - 1]
    local expiry = ARGV[#ARGV]
    for i=1,#KEYS do
        if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[i + 2 * #KEYS]) then
            redis.call('ZADD', KEYS[i], current_time, ARGV[i])
        else
            redis.call('ZADD', KEYS[i], current_time, ARGV[i + #KEYS])
            over_capacity = over_capacity + 1
        end
        redis.call('EXPIRE', KEYS[i], expiry)
    end
    return over_capacity
"""


class ResyncingRedisChannelLayer(RedisChannelLayer):
    """RedisChannelLayer whose group_send leaves a resync marker for a channel at capacity."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Encryption makes every serialization of the marker different, so drops would pile up markers.
        if self._serializer.crypter is not None or self._serializer.random_prefix_length != len(RESYNC_MEMBER_PREFIX):
            raise ValueError(f"{type(self).__name__} needs no symmetric_encryption_keys and "
                             f"random_prefix_length={len(RESYNC_MEMBER_PREFIX)}")
        self.receive_buffer = collections.defaultdict(functools.partial(ResyncingBuffer, self.capacity))

    async def group_send(self, group, message):
        """Send to every channel of `group`; one at capacity gets a resync marker instead of the message."""
        assert self.require_valid_group_name(group), "Group name not valid"
        key = self._group_key(group)
        connection = self.connection(self.consistent_hash(group))
        await connection.zremrangebyscore(key, min=0, max=int(time.time()) - self.group_expiry)
        channel_names = [x.decode("utf8") for x in await connection.zrange(key, 0, -1)]

        connection_to_channel_keys, channel_keys_to_message, channel_keys_to_capacity = (
            self._map_channel_keys_to_connection(channel_names, message))
        # Built by upstream too, so the marker names the same process-local channels as the message it stands for.
        _, channel_keys_to_resync, _ = self._map_channel_keys_to_connection(channel_names, RESYNC)

        for connection_index, channel_redis_keys in connection_to_channel_keys.items():
            # Upstream prunes through the group's host here; each shard's own is meant (the same with one host).
            connection = self.connection(connection_index)
            pipe = connection.pipeline()
            for key in channel_redis_keys:
                pipe.zremrangebyscore(key, min=0, max=int(time.time()) - int(self.expiry))
            await pipe.execute()

            args = [channel_keys_to_message[key] for key in channel_redis_keys]
            args += [self._as_fixed_member(channel_keys_to_resync[key]) for key in channel_redis_keys]
            args += [channel_keys_to_capacity[key] for key in channel_redis_keys]
            args += [time.time(), self.expiry]

            channels_over_capacity = await connection.eval(
                GROUP_SEND_LUA, len(channel_redis_keys), *channel_redis_keys, *args)
            if channels_over_capacity > 0:
                logger.info("%s of %s channels over capacity in group %s (told to resync)",
                            channels_over_capacity, len(channel_names), group)

    def _as_fixed_member(self, serialized: bytes) -> bytes:
        """`serialized` with its random prefix replaced by a fixed one: the same bytes for the same channels."""
        return RESYNC_MEMBER_PREFIX + serialized[len(RESYNC_MEMBER_PREFIX):]


class ResyncingBuffer(BoundedQueue):
    """One socket's messages in this process: a full buffer drops its oldest, as upstream's, then ends with a RESYNC.

    There is only ever one RESYNC, last, and it may stand past the capacity: it never pushes out a message.
    """

    def put_nowait(self, item):
        lost = item != RESYNC and self.full()
        if lost or item == RESYNC:
            # asyncio.Queue keeps its items in this deque; a queued marker moves behind what comes now.
            with suppress(ValueError):
                self._queue.remove(RESYNC)
        if lost and self.full():
            self._queue.popleft()
        if self.full():
            # Only a RESYNC arriving from Redis gets here. The buffer is not empty, so no reader waits to be woken.
            self._queue.append(item)
        else:
            super().put_nowait(item)
        if lost:
            self._queue.append(dict(RESYNC))
