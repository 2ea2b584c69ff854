from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "parley.accounts"
    label = "accounts"

    def ready(self):
        # Cache coherence, not domain flow: whatever path saves a token or an agent (a service, the admin, a
        # script), the API must not go on answering from a cached copy (services.api_token_authenticate).
        from parley.accounts.models import ApiToken, User

        post_save.connect(_forget_token, sender=ApiToken, dispatch_uid="accounts.forget_token_saved")
        post_delete.connect(_forget_token, sender=ApiToken, dispatch_uid="accounts.forget_token_deleted")
        post_save.connect(_forget_agent_tokens, sender=User, dispatch_uid="accounts.forget_agent_tokens")


def _forget_token(sender, instance, **kwargs):
    from parley.accounts.services import api_tokens_forget

    api_tokens_forget(prefixes=[instance.prefix])


def _forget_agent_tokens(sender, instance, created, **kwargs):
    if created:
        return
    from parley.accounts.models import ApiToken
    from parley.accounts.services import api_tokens_forget

    api_tokens_forget(prefixes=list(ApiToken.objects.filter(user=instance).values_list("prefix", flat=True)))
