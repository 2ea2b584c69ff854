from django.apps import AppConfig


class ChatChannelConfig(AppConfig):
    name = "parley.channels.chat"
    label = "channel_chat"
    verbose_name = "Live chat channel"

    def ready(self) -> None:
        from parley.channels.chat import adapter  # noqa: F401  (registers the adapter)
