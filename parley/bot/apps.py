from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "parley.bot"
    label = "bot"
