from django.apps import AppConfig


class ApiChannelConfig(AppConfig):
    name = "parley.channels.api"
    label = "channel_api"

    def ready(self) -> None:
        from parley.channels.api import adapter  # noqa: F401  (registers the adapter)
