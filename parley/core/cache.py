"""One Redis connection pool per process for Django's cache.

Django keeps a cache object per context, and under ASGI each request runs in a context of its
own, so every request made a new `RedisCache`, a new connection pool and a new connection (with
its handshake) for the one or two reads it does: as many Redis connections as requests, a fifth
of an SMS webhook's time on PostgreSQL + Redis. The pool is keyed by URL and options, so every
cache object of the process borrows from the same connections; redis-py resets a pool that
finds itself in a forked child.
"""
import threading

import redis

_pools: dict[tuple, redis.ConnectionPool] = {}
_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs) -> redis.ConnectionPool:
        key = (url, tuple(sorted(kwargs.items())))
        with _lock:
            if key not in _pools:
                _pools[key] = super().from_url(url, **kwargs)
            return _pools[key]
