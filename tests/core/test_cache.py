"""With Redis as the cache, requests reuse the process's connections instead of opening one each."""
import contextvars
import os

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.servers

# Redis always runs where the tests do; CI's second pass names its own database.
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"


def test_twenty_requests_each_in_its_own_context_share_one_redis_connection(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                                   "OPTIONS": {"pool_class": "parley.core.cache.SharedConnectionPool"}}}

    def request(n: int) -> tuple[int, int]:
        # What an API token check does: read the cache, then remember the answer; and which connection Redis saw.
        cache = caches["default"]
        cache.set(f"test-cache-{n}", n, 5)
        return cache.get(f"test-cache-{n}"), cache._cache.get_client(write=True).client_id()

    # Under ASGI every request runs in a context of its own, where Django makes a new cache object.
    answers = [contextvars.Context().run(request, n) for n in range(20)]

    assert [value for value, _ in answers] == list(range(20))
    assert len({connection for _, connection in answers}) == 1
