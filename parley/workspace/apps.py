from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "parley.workspace"
    label = "workspace"
