"""Identity kinds describe the address, not the inbox: whatsapp becomes phone, the social kinds handles on a network.

Phone numbers (identities and contacts) are rewritten in E.164 so the same customer on SMS,
WhatsApp and voice is found as one.
"""

from django.db import migrations, models

LEGACY = {"whatsapp": ("phone", ""), "messenger": ("handle", "messenger"), "instagram": ("handle", "instagram"),
          "telegram": ("handle", "telegram"), "x": ("handle", "x"), "chat_visitor": ("handle", "chat")}


def forward(apps, schema_editor):
    from parley.core.phones import phone_normalize

    ContactIdentity = apps.get_model("contacts", "ContactIdentity")
    Contact = apps.get_model("contacts", "Contact")
    seen = set()
    for identity in ContactIdentity.objects.order_by("pk"):
        kind, network = LEGACY.get(identity.kind, (identity.kind, identity.network))
        source_id = phone_normalize(identity.source_id) if kind == "phone" else identity.source_id
        key = (identity.inbox_id, kind, network, source_id)
        if key in seen:
            # The same number written two ways in one inbox: the older identity stands for both.
            identity.delete()
            continue
        seen.add(key)
        if (kind, network, source_id) != (identity.kind, identity.network, identity.source_id):
            ContactIdentity.objects.filter(pk=identity.pk).update(kind=kind, network=network, source_id=source_id)
    for contact in Contact.objects.exclude(phone=""):
        normalized = phone_normalize(contact.phone)
        if normalized != contact.phone:
            Contact.objects.filter(pk=contact.pk).update(phone=normalized)



class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0002_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='contactidentity',
            name='identity_unique_per_inbox',
        ),
        migrations.AddField(
            model_name='contactidentity',
            name='network',
            field=models.CharField(blank=True, default='', max_length=30),
        ),
        migrations.AlterField(
            model_name='contactidentity',
            name='kind',
            field=models.CharField(choices=[('email', 'Email address'), ('phone', 'Phone number'), ('handle', 'Handle on a network'), ('external_id', 'External id')], max_length=20),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='contactidentity',
            constraint=models.UniqueConstraint(fields=('inbox', 'kind', 'network', 'source_id'), name='identity_unique_per_inbox'),
        ),
    ]
