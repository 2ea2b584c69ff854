from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "parley.desk"
    label = "desk"
    verbose_name = "Agent desk"
