from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_index(using: str, **kwargs) -> None:
    from parley.knowledge.search import fulltext

    fulltext.install(connections[using])


class KnowledgeConfig(AppConfig):
    """The help center: articles, their full-text and semantic index, feedback, searches and deflections.

    The full-text index is a database-specific object (an FTS5 table, a tsvector table under a
    GIN index), created and repaired after every migrate rather than by a migration.
    """

    name = "parley.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="parley.knowledge.ensure_index")
