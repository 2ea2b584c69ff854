from django.db import migrations, models

ALL_ROLES = ["admin", "supervisor", "agent", "light_agent"]


def roles_from_flag(apps, schema_editor):
    # "Every agent" becomes every role.
    apps.get_model("accounts", "SecurityPolicy").objects.filter(require_two_factor=True).update(two_factor_roles=ALL_ROLES)


def flag_from_roles(apps, schema_editor):
    apps.get_model("accounts", "SecurityPolicy").objects.exclude(two_factor_roles=[]).update(require_two_factor=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='securitypolicy',
            name='two_factor_roles',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(roles_from_flag, flag_from_roles),
        migrations.RemoveField(
            model_name='securitypolicy',
            name='require_two_factor',
        ),
    ]
