from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "parley.automation"
    label = "automation"
    verbose_name = "Automation"
