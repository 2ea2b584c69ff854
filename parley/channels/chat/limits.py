"""Fixed-window rate limits on the shared cache, so every server process counts the same visitor and address.

The cache is Redis when REDIS_URL is set (one count for the whole installation) and the
process's memory on the embedded default (one server process).
"""
import os
import time

from django.core.cache import cache

#: Frames one visitor may send in a window, and frames from one IP address (several visitors behind one NAT).
VISITOR_FRAMES = 30
#: Raise PARLEY_CHAT_IP_FRAMES where many visitors share one address (an office NAT, a load test).
IP_FRAMES = int(os.environ.get("PARLEY_CHAT_IP_FRAMES", 300))
#: Sessions one IP address may open in a window (each makes a visitor row).
IP_SESSIONS = 60
WINDOW_SECONDS = 10


def allow(key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one hit on `key` in the current window; tell whether it is still within `limit`."""
    bucket = f"chat-limit:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window * 2):
        return True
    try:
        return cache.incr(bucket) <= limit
    except ValueError:  # expired between add and incr: this hit starts the window again
        cache.add(bucket, 1, timeout=window * 2)
        return True
