from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "parley.channels.email"
    label = "channel_email"
    verbose_name = "Email channel"

    def ready(self) -> None:
        from parley.channels.email import adapter, webhooks  # noqa: F401  (registers the adapter and the inbound handler)

        webhooks.connect()
