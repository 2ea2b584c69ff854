"""Wake idle workers when a job is queued, so they need not poll the database hard.

With Redis, a committed job pushes a token on a list that idle workers block on: the wake-up is
immediate and the database is read only when there is work. Without Redis, an idle worker looks
for due jobs with a cheap read a few times a second (a read never blocks a writer in SQLite's WAL
mode). A lost token costs nothing but a short delay: the jobs are in the database either way.
"""
from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

WAKE_KEY = "parley:jobs:wake"
#: Tokens kept on the list: enough to wake every worker, few enough that a burst stays small.
MAX_TOKENS = 64
IDLE_POLL_SECONDS = 0.2

_local = threading.local()


def _redis():
    client = getattr(_local, "redis", None)
    if client is None and settings.REDIS_URL:
        import redis

        client = _local.redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10, socket_connect_timeout=5)
    return client


def notify() -> None:
    """Tell idle workers that a job is due (a no-op without Redis)."""
    client = _redis()
    if client is None:
        return
    try:
        pipe = client.pipeline(transaction=False)
        pipe.lpush(WAKE_KEY, 1)
        pipe.ltrim(WAKE_KEY, 0, MAX_TOKENS - 1)
        pipe.execute()
    except Exception as exc:  # the job is committed; it runs on the next poll
        logger.warning("could not wake the workers through Redis: %s", exc)


def wait(seconds: float) -> None:
    """Block up to `seconds` for a wake-up (Redis), or sleep a short poll interval (no Redis)."""
    client = _redis()
    if client is None:
        time.sleep(min(seconds, IDLE_POLL_SECONDS))
        return
    try:
        client.blpop([WAKE_KEY], timeout=max(1, int(seconds)))
    except Exception as exc:
        logger.warning("waiting for work on Redis failed: %s", exc)
        time.sleep(min(seconds, 1))
