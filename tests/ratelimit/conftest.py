import pytest


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Counters in Redis outlive a test (database ones roll back with it): start each test from zero."""
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()
