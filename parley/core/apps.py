from django.apps import AppConfig


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
