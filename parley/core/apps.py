from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parley.core"
    label = "core"

    def ready(self) -> None:
        # Subscribers are wired in one place, once every app's models are loaded.
        from parley import subscriptions

        subscriptions.register_all()
