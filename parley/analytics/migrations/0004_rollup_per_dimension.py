from django.db import migrations, models


def clear(apps, schema_editor):
    # Without their channel the old rows would collide in the new unique key; they are counted again below.
    apps.get_model("analytics", "DailyRollup").objects.all().delete()


def fill_tag_ids(apps, schema_editor):
    fact_model = apps.get_model("analytics", "ConversationFact")
    tagging = apps.get_model("conversations", "Conversation").tags.through
    tag_ids: dict[int, list[int]] = {}
    for conversation_id, tag_id in tagging.objects.order_by("conversation_id", "tag_id").values_list("conversation_id", "tag_id"):
        tag_ids.setdefault(conversation_id, []).append(tag_id)
    facts = [fact_model(conversation_id=conversation_id, tag_ids=ids) for conversation_id, ids in tag_ids.items()]
    fact_model.objects.bulk_update(facts, ["tag_ids"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_daily_rollup'),
        ('conversations', '0006_tag_status_archive_custom_fields'),
    ]

    operations = [
        migrations.RunPython(clear, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='dailyrollup',
            name='analytics_rollup_day_channel_unique',
        ),
        migrations.RemoveField(
            model_name='dailyrollup',
            name='channel',
        ),
        migrations.AddField(
            model_name='dailyrollup',
            name='dimension',
            field=models.CharField(default='channel', max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='dailyrollup',
            name='key',
            field=models.CharField(default='', max_length=30),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='dailyrollup',
            constraint=models.UniqueConstraint(fields=('day', 'dimension', 'key'), name='analytics_rollup_bucket_unique'),
        ),
        migrations.AddField(
            model_name='dailyrollup',
            name='active',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='conversationfact',
            name='tag_ids',
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(fill_tag_ids, migrations.RunPython.noop),
        # The rows cleared above are counted again by 0005, in every dimension the rollup has since.
    ]
