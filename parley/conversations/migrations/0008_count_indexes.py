from django.db import migrations, models

#: A tag's conversations, read from the index alone (the join table's own indexes hold one column each, so each
#: of a tag's rows was read from the table to learn its conversation). The join table is made by the many-to-many
#: field, which declares no indexes of its own, so this one is created here.
TAG_CONVERSATIONS_INDEX = "conversation_tags_by_tag_idx"


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0007_list_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(condition=models.Q(('merged_into__isnull', True)), fields=['status', 'priority', 'id'], name='conversation_status_prio_idx'),
        ),
        migrations.RunSQL(
            f"CREATE INDEX {TAG_CONVERSATIONS_INDEX} ON conversations_conversation_tags (tag_id, conversation_id)",
            f"DROP INDEX {TAG_CONVERSATIONS_INDEX}",
        ),
    ]
