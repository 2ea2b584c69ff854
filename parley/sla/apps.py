from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "parley.sla"
    label = "sla"
