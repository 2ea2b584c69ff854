from django.apps import AppConfig


class WebformChannelConfig(AppConfig):
    name = "parley.channels.webform"
    label = "channel_webform"

    def ready(self) -> None:
        from parley.channels.webform import adapter  # noqa: F401  (registers the adapter)
