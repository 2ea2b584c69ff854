"""Django's ASGI handler, minus the per-request thread and the per-middleware thread hops.

Parley's views and middleware are synchronous. Django's own ASGI handler gives every request a
new thread for them (and a second thread to join it afterwards), so each request also opens a
new database connection; and it runs the middleware in async mode, where every sync-only step
is a separate hop between the event loop and that thread. This handler runs the whole sync
stack in one call on a thread borrowed from a set of long-lived request threads, which keep
their database connection between requests (CONN_MAX_AGE applies as under WSGI; on
PostgreSQL the pool takes it back at the end of each request). Thread-sensitive code of one
request still runs on one thread, so transactions and connections behave as they do under
WSGI, and as many requests run at once as there are free threads (more get a fresh thread).
"""
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler

#: Request threads kept for the next requests; a burst beyond this gets threads that end with it.
KEPT_THREADS = 32


class SyncStackASGIHandler(ASGIHandler):
    """Serve HTTP through the sync middleware stack, in one hop, on reused request threads."""

    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self._idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # The event loop is one thread, so taking and returning an executor needs no lock.
        executor = self._idle.pop() if self._idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-request")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # A request cancelled by a disconnect may still be running its sync code: a later request
            # given this executor queues behind it on the same thread, which is slow but safe.
            if len(self._idle) < KEPT_THREADS:
                self._idle.append(executor)
            else:
                executor.shutdown(wait=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> SyncStackASGIHandler:
    """Set Django up and return the HTTP handler (what django.core.asgi.get_asgi_application does)."""
    import django

    django.setup(set_prefix=False)
    return SyncStackASGIHandler()
