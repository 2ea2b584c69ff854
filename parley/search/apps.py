from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _suspend_index(using: str, plan=None, **kwargs) -> None:
    # SQLite cannot rebuild a table (as many schema changes do) while triggers elsewhere name it.
    from parley.search import backend_for

    if plan:
        connection = connections[using]
        backend_for(connection.vendor).suspend(connection)


def _ensure_index(using: str, **kwargs) -> None:
    from parley.search import backend_for

    connection = connections[using]
    backend_for(connection.vendor).install(connection)


class SearchConfig(AppConfig):
    """Full-text search: the index is created, and repaired, around every migrate rather than by a migration.

    The index consists of database-specific objects on other apps' tables, which must step
    aside while those apps' migrations change their tables.
    """

    name = "parley.search"
    label = "search"

    def ready(self) -> None:
        pre_migrate.connect(_suspend_index, sender=self, dispatch_uid="parley.search.suspend_index")
        post_migrate.connect(_ensure_index, sender=self, dispatch_uid="parley.search.ensure_index")
