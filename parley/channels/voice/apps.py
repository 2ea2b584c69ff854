from django.apps import AppConfig


class VoiceChannelConfig(AppConfig):
    name = "parley.channels.voice"
    label = "channel_voice"
    verbose_name = "Voice channel"

    def ready(self) -> None:
        from parley.channels.voice import adapter  # noqa: F401  (registers the adapter)
