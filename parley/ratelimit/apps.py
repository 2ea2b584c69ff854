from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    """Counters that slow down guessing and flooding, shared by every process (the database, or Redis)."""

    name = "parley.ratelimit"
    label = "ratelimit"
