from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    # Labelled "inboxes": the label "channels" belongs to Django Channels.
    name = "parley.channels"
    label = "inboxes"
    verbose_name = "Inboxes and channels"
