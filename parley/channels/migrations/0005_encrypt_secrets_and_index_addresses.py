"""Encrypt the credentials of existing inboxes and fill the address index from their configurations."""
from django.db import migrations


def _adapter(kind: str):
    from parley.channels.registry import get_adapter

    try:
        return get_adapter(kind)
    except LookupError:
        return None  # a channel package no longer installed: its inboxes keep their configuration as it is


def forward(apps, schema_editor):
    from parley.channels.config import config_plain, config_sealed

    Inbox = apps.get_model("inboxes", "Inbox")
    InboxAddress = apps.get_model("inboxes", "InboxAddress")
    claimed = set(InboxAddress.objects.values_list("kind", "address"))
    for inbox in Inbox.objects.order_by("pk"):
        adapter = _adapter(inbox.kind)
        if adapter is None:
            continue
        plain = config_plain(inbox)
        Inbox.objects.filter(pk=inbox.pk).update(config=config_sealed(schema=adapter.config_schema, config=plain))
        for address in adapter.addresses(plain):
            # Two inboxes could share an address before the index existed; the older one keeps receiving on it.
            if (address.kind, address.value) not in claimed:
                claimed.add((address.kind, address.value))
                InboxAddress.objects.create(inbox_id=inbox.pk, kind=address.kind, address=address.value)


def backward(apps, schema_editor):
    from parley.channels.config import config_plain

    Inbox = apps.get_model("inboxes", "Inbox")
    for inbox in Inbox.objects.all():
        Inbox.objects.filter(pk=inbox.pk).update(config=config_plain(inbox))


class Migration(migrations.Migration):
    dependencies = [("inboxes", "0004_inbox_address_index")]

    operations = [migrations.RunPython(forward, backward)]
