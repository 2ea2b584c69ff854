from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "parley.analytics"
    label = "analytics"
