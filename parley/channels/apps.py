from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    # Labelled "inboxes": the label "channels" belongs to Django Channels.
    name = "parley.channels"
    label = "inboxes"
    verbose_name = "Inboxes and channels"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from parley.channels.models import Inbox
        from parley.channels.selectors import inbox_by_key_forget

        post_save.connect(inbox_by_key_forget, sender=Inbox, dispatch_uid="inboxes.forget_inbox_saved")
        post_delete.connect(inbox_by_key_forget, sender=Inbox, dispatch_uid="inboxes.forget_inbox_deleted")
