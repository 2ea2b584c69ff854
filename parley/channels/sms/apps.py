from django.apps import AppConfig


class SmsChannelConfig(AppConfig):
    name = "parley.channels.sms"
    label = "channel_sms"
    verbose_name = "SMS channel"

    def ready(self) -> None:
        from parley.channels.sms import adapter  # noqa: F401  (registers the adapter)
