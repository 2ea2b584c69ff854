from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "parley.portal"
    label = "portal"
