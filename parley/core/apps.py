from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _refresh_statistics(using: str, **kwargs) -> None:
    # New indexes are unknown to SQLite's planner until its statistics are taken again.
    from parley.core.tasks import statistics_refresh

    statistics_refresh(connections[using])


class CoreConfig(AppConfig):
    name = "parley.core"
    label = "core"

    def ready(self) -> None:
        # Subscribers are wired in one place, once every app's models are loaded; every app's
        # tasks module declares its job handlers and schedules.
        from parley import subscriptions
        from parley.core import jobs

        jobs.autodiscover()
        subscriptions.register_all()
        post_migrate.connect(_refresh_statistics, sender=self, dispatch_uid="parley.core.refresh_statistics")
