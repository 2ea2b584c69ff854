"""The HTTP handler serves requests at once on request threads it keeps, and more than it keeps."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from parley.core.asgi import KEPT_THREADS, SyncStackASGIHandler


def _get_all(handler: SyncStackASGIHandler, count: int) -> list[int]:
    async def get_all() -> list[int]:
        transport = httpx.ASGITransport(app=handler)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            responses = await asyncio.gather(*(client.get("/api/v1/openapi.json") for _ in range(count)))
        return [response.status_code for response in responses]

    # A thread of its own: the test process's main thread may already run an event loop (browser tests).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, get_all()).result(timeout=120)


@pytest.mark.django_db(transaction=True)
def test_given_more_concurrent_requests_than_kept_threads_when_served_then_all_are_answered_and_threads_are_reused():
    handler = SyncStackASGIHandler()

    statuses = _get_all(handler, KEPT_THREADS + 8)
    kept = list(handler._idle)
    again = _get_all(handler, 4)

    assert statuses == [200] * (KEPT_THREADS + 8)
    assert again == [200] * 4
    assert len(kept) == KEPT_THREADS
    assert set(handler._idle) <= set(kept)
