from django.db import migrations, models


def clear(apps, schema_editor):
    # Without their channel the old rows would collide in the new unique key; they are counted again below.
    apps.get_model("analytics", "DailyRollup").objects.all().delete()


def rebuild(apps, schema_editor):
    # The rows so far were per day and channel only: count the facts again in every dimension.
    from parley.analytics.services import rollup_rebuild

    rollup_rebuild(facts=apps.get_model("analytics", "ConversationFact"), rollup=apps.get_model("analytics", "DailyRollup"))


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_daily_rollup'),
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
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
