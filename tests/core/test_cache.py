"""With Redis as the cache, requests reuse the process's connections instead of opening one each."""
import contextvars
import os

import pytest
import redis
from django.core.cache import caches

pytestmark = pytest.mark.servers

# Redis always runs where the tests do; CI's second pass names its own database.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"


def _connections_opened() -> int:
    return redis.Redis.from_url(REDIS_URL).info("stats")["total_connections_received"]


def test_twenty_requests_each_in_its_own_context_open_at_most_one_redis_connection(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "OPTIONS": {"pool_class": "parley.core.cache.SharedConnectionPool"}}}

    def request(n: int):
        # What an API token check does: read the cache, then remember the answer.
        cache = caches["default"]
        cache.set(f"test-cache-{n}", n, 5)
        return cache.get(f"test-cache-{n}")

    before = _connections_opened()
    # Under ASGI every request runs in a context of its own, where Django makes a new cache object.
    answers = [contextvars.Context().run(request, n) for n in range(20)]
    opened = _connections_opened() - before - 1  # the count itself came on a connection of its own
    assert answers == list(range(20))
    assert opened <= 1

