"""A channel layer for the embedded default that lets any process reach every web process's sockets.

Channels' in-memory layer lives inside one process: a worker, the SMTP receiver or a
second `uvicorn --workers` process could not reach sockets held by another. This layer
keeps the in-memory layer for the sockets of its own process and also writes every
`group_send` to a table (`LayerMessage`). Each web process that holds sockets tails that
table on a background task and delivers what other processes wrote to its local groups,
so every socket gets each message once: from its own process directly, from any other
through the table. See ADR 0005.

Only groups cross processes; `send` to a channel name stays in the process that made it
(Parley's consumers only use groups).
"""
import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from parley.realtime.models import LayerListener, LayerMessage

logger = logging.getLogger(__name__)

#: How often the writer deletes rows older than the retention (per process, at most).
PRUNE_EVERY_SECONDS = 10
#: How often a tailing process says it is there; one silent for three beats is gone.
LISTENER_BEAT_SECONDS = 5
#: How long a writer trusts what it last found out about listeners.
LISTENERS_CHECKED_EVERY_SECONDS = 0.25
#: How long a missing id is waited for. On PostgreSQL ids are taken before commit, so a
#: row with a lower id can become visible after one with a higher id.
GAP_SECONDS = 10
#: A larger jump is not a race between two writers (rolled-back rows, a sequence cache).
MAX_GAP_IDS = 200
BATCH = 500
#: How often expired messages and group memberships are swept (the in-memory layer sweeps on every call).
CLEAN_EVERY_SECONDS = 1.0
#: What a socket whose queue overflowed gets once it has read what was queued: its consumer tells the page to reload.
RESYNC = {"type": "parley.resync"}


class DatabaseChannelLayer(InMemoryChannelLayer):
    """Deliver to local groups in memory and, through the database, to every other process's groups."""

    def __init__(self, poll_interval: float = 0.1, retention: int = 60, **kwargs):
        super().__init__(**kwargs)
        self.poll_interval = poll_interval
        self.retention = retention
        self.origin = uuid.uuid4().hex
        self._last_prune = 0.0
        self._listeners_checked = -LISTENERS_CHECKED_EVERY_SECONDS
        self._others_listen = False
        self._tail_task: asyncio.Task | None = None
        #: True from the moment a tail is started until its loop ends; a tail that is only closing down does not count.
        self._tailing = False
        #: When every writer that looked for listeners has seen this process's listener row.
        self._heard_from = 0.0
        #: How many local groups each channel is in: a channel joining its first group is a new socket.
        self._groups_of: dict[str, int] = {}
        self._last_clean = 0.0
        #: Channels that lost a message to a full queue and have not been told yet.
        self._behind: set[str] = set()
        # One thread (and so one database connection) reads the table, whatever the load.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="channel-layer-tail")

    def _clean_expired(self) -> None:
        # The in-memory layer walks every channel and every group membership on each receive and
        # group_send: with thousands of sockets (chat visitors) that walk is the whole cost of a
        # message. Expiry is counted in minutes and days, so once a second loses nothing.
        now = time.monotonic()
        if now - self._last_clean >= CLEAN_EVERY_SECONDS:
            self._last_clean = now
            super()._clean_expired()

    async def group_send(self, group, message):
        """Deliver to this process's members of `group` now, and write it down for every other process."""
        await self.group_send_many([(group, message)])

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> None:
        """Send each (group, message) as `group_send` would, writing them all in one transaction."""
        for group, message in sends:
            self.require_valid_group_name(group)
            await self._deliver(group, message)
        await sync_to_async(self._store)(sends)

    async def _deliver(self, group: str, message: dict) -> None:
        """Queue `message` for this process's members of `group`; remember those whose queue was full."""
        self._clean_expired()
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
            except ChannelFull:
                # The in-memory layer drops it silently; this socket is told to reload instead.
                self._behind.add(channel)

    async def receive(self, channel):
        """The next queued message; after a loss, once the queue is read, a RESYNC."""
        if channel in self._behind:
            queue = self.channels.get(channel)
            if queue is None or queue.empty():
                self._behind.discard(channel)
                return dict(RESYNC)
        return await super().receive(channel)

    def reaches_nobody(self) -> bool:
        """Return True when no socket in this process or any other could get a message (call from sync code).

        Publishers ask first and skip building messages (a worker ingesting with no agent online).
        """
        return not self.groups and not self._others_listening()

    def _others_listening(self) -> bool:
        started = time.monotonic()
        if started - self._listeners_checked >= LISTENERS_CHECKED_EVERY_SECONDS:
            alive = timezone.now() - timedelta(seconds=3 * LISTENER_BEAT_SECONDS)
            try:
                self._others_listen = LayerListener.objects.filter(seen_at__gte=alive).exclude(origin=self.origin).exists()
            except DatabaseError:
                self._others_listen = True
            # Counted from before the query: what it found may be that old, however long it took.
            self._listeners_checked = started
        return self._others_listen

    def _store(self, sends: list[tuple[str, dict]]) -> None:
        if not self._others_listening():
            return
        now = timezone.now()
        try:
            with transaction.atomic():
                LayerMessage.objects.bulk_create(
                    LayerMessage(group=group, message=message, origin=self.origin, created_at=now) for group, message in sends)
            if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
                self._last_prune = time.monotonic()
                LayerMessage.objects.filter(created_at__lt=now - timedelta(seconds=self.retention)).delete()
        except DatabaseError as exc:
            # A live update is a courtesy: the change itself is committed and shows on the next load.
            logger.warning("could not hand %s to the other processes: %s", ", ".join(group for group, _ in sends), exc)

    async def group_add(self, group, channel):
        new_socket = not self._groups_of.get(channel)
        if channel not in self.groups.get(group, ()):
            self._groups_of[channel] = self._groups_of.get(channel, 0) + 1
        await super().group_add(group, channel)
        loop = asyncio.get_running_loop()
        if not self._tailing or (self._tail_task is not None and self._tail_task.get_loop() is not loop):
            # A tail whose last group just left may still be deleting its listener row: that one is not
            # listening for this socket. The reading thread runs jobs in order, so this beat comes after
            # that delete and the process counts as a listener again.
            self._tailing = True
            since = timezone.now()
            await self._announce(loop)
            self._tail_task = loop.create_task(self._tail(_Cursor(self.origin, since)))
        elif new_socket:
            # Each new socket says so again: the row may have been removed under a running tail (a restored
            # or flushed database), and the next beat is seconds away.
            await self._announce(loop)
        wait = self._heard_from - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _announce(self, loop) -> None:
        """Register this process as a listener before the joining socket is accepted.

        A writer trusts what it last found for a quarter second: one that found nobody listening just
        before this row appeared would not write for this socket until then, so the socket (and any
        other joining meanwhile) is accepted only after that.
        """
        if await loop.run_in_executor(self._reader, self._beat):
            self._heard_from = time.monotonic() + LISTENERS_CHECKED_EVERY_SECONDS

    async def group_discard(self, group, channel):
        if channel in self.groups.get(group, ()):
            left = self._groups_of.pop(channel, 1) - 1
            if left:
                self._groups_of[channel] = left
        await super().group_discard(group, channel)

    async def _tail(self, cursor: "_Cursor") -> None:
        """Deliver other processes' messages to local groups while this process has any."""
        loop = asyncio.get_running_loop()
        beat = time.monotonic()
        try:
            while self.groups:
                try:
                    if time.monotonic() - beat >= LISTENER_BEAT_SECONDS:
                        await loop.run_in_executor(self._reader, self._beat)
                        beat = time.monotonic()
                    batch = await loop.run_in_executor(self._reader, cursor.read)
                except DatabaseError as exc:
                    logger.warning("could not read other processes' live updates: %s", exc)
                    await loop.run_in_executor(self._reader, _close_connection)
                    batch = []
                for group, message in batch:
                    await self._deliver(group, message)
                if len(batch) < BATCH:
                    await asyncio.sleep(self.poll_interval)
        finally:
            self._tailing = False
            # Writers stop writing for this process, and the reading thread's connection is not needed
            # until a socket joins again.
            await loop.run_in_executor(self._reader, self._stop_listening)

    def _beat(self) -> bool:
        """Say this process listens; return True when its row was not there."""
        return LayerListener.objects.update_or_create(origin=self.origin, defaults={"seen_at": timezone.now()})[1]

    def _stop_listening(self) -> None:
        try:
            LayerListener.objects.filter(origin=self.origin).delete()
        finally:
            _close_connection()

    async def flush(self):
        await super().flush()
        self._groups_of.clear()
        # With no groups left the tail ends by itself, closing its connection on the way out.
        if self._tail_task is not None and self._tail_task.get_loop() is asyncio.get_running_loop():
            await self._tail_task

    async def close(self):
        await self.flush()


def _close_connection() -> None:
    # Looked up here, in the thread that runs it: Django's connections belong to one thread each.
    connection.close()


class _Cursor:
    """Where one process is in the table: the last id read, and ids that may still appear below it."""

    def __init__(self, origin: str, since: datetime):
        self.origin = origin
        self.since = since
        self.last_id: int | None = None
        self.gaps: dict[int, float] = {}

    def read(self) -> list[tuple[str, dict]]:
        """Return the (group, message) pairs other processes wrote since the last read, oldest first."""
        if self.last_id is None:
            # Start at the newest row written before the first socket joined: older ones are for nobody here.
            self.last_id = LayerMessage.objects.filter(created_at__lt=self.since).aggregate(newest=Max("id"))["newest"] or 0
        now = time.monotonic()
        self.gaps = {pk: deadline for pk, deadline in self.gaps.items() if deadline > now}
        rows = (LayerMessage.objects.filter(Q(id__gt=self.last_id) | Q(id__in=list(self.gaps)))
                .order_by("id").values_list("id", "group", "origin", "message")[:BATCH])
        delivered = []
        for pk, group, origin, message in rows:
            if pk > self.last_id:
                if pk - self.last_id - 1 <= MAX_GAP_IDS:
                    self.gaps.update(dict.fromkeys(range(self.last_id + 1, pk), now + GAP_SECONDS))
                self.last_id = pk
            else:
                del self.gaps[pk]
            if origin != self.origin:
                delivered.append((group, message))
        return delivered
