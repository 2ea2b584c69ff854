import secrets

from django.db import migrations, models

import parley.channels.models


def give_existing_inboxes_keys(apps, schema_editor):
    # A callable default is evaluated once for AddField, so every existing row gets its own key here.
    Inbox = apps.get_model("inboxes", "Inbox")
    for inbox in Inbox.objects.filter(key__isnull=True):
        inbox.key = secrets.token_urlsafe(16)
        inbox.save(update_fields=["key"])


class Migration(migrations.Migration):

    dependencies = [
        ("inboxes", "0002_outbox_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbox",
            name="key",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_existing_inboxes_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inbox",
            name="key",
            field=models.CharField(default=parley.channels.models.inbox_key_new, editable=False,
                                   help_text="Names the inbox in its webhook URLs.", max_length=32, unique=True),
        ),
    ]
