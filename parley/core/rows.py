"""Row writes the ORM makes dearer than they need to be on a hot path."""
from django.db import connection, models, transaction

#: Decorates a service mostly called inside another's transaction (a worker's envelope, a chat message). Nested,
#: Django's atomic() wraps it in a savepoint: two more statements per call, eight for a message that opens a
#: conversation. Without one, a failure inside marks the whole transaction for rollback, so a caller that carries
#: on after catching a failure wraps the call in an atomic block of its own (bulk actions and automation do).
atomic_without_savepoint = transaction.atomic(savepoint=False)


def insert_unless_exists(instance: models.Model, *, unique: tuple[str, ...]) -> bool:
    """Insert `instance` unless a row with the same `unique` fields exists; return whether it was inserted.

    One `INSERT … ON CONFLICT DO NOTHING RETURNING id` (SQLite and PostgreSQL both have it). Inside a
    transaction, `create()` needs a savepoint around it to survive the IntegrityError of a repeat: two
    more round trips on every insert, a third of an SMS webhook's statements. `bulk_create(ignore_conflicts=True)`
    does not give the new row's id. No model signals are sent.
    """
    meta = instance._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) "
           f"ON CONFLICT ({', '.join(quote(meta.get_field(name).column) for name in unique)}) DO NOTHING "
           f"RETURNING {quote(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
