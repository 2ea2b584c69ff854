from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "parley.community"
    label = "community"
