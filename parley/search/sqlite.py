"""SQLite FTS5 backend: one full-text document per conversation, kept in sync by triggers.

A conversation's document holds its subject, the text of its messages (not system events)
and its customer's name and email, so a search is one MATCH that yields conversation ids
directly, and "every word somewhere in the conversation" is what matches. Triggers catch
every write path (services, admin, bulk updates, merges moving messages), so nothing outside
this module has to remember the index. A write re-indexes the whole conversation, which
stays cheap at help-desk conversation lengths.

The triggers name the three source tables, and SQLite refuses to rebuild a table (as most
schema changes do) while a trigger names it; so the index is dropped before migrations run
and rebuilt after them (`suspend`, then `install` from the search app's migrate hooks).
"""
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from parley.conversations.models import Conversation
from parley.search.query import SearchQuery

TABLE = "search_conversation_fts"
TOKENIZER = "porter unicode61 remove_diacritics 2"


def _reindex(where: str) -> list[str]:
    """Return statements that rewrite the documents of the conversations `c` matching `where`."""
    return [
        f"DELETE FROM {TABLE} WHERE rowid IN (SELECT c.id FROM conversations_conversation c WHERE {where})",
        f"INSERT INTO {TABLE}(rowid, subject, body, customer) "
        "SELECT c.id, c.subject, coalesce((SELECT group_concat(m.text, ' ') FROM conversations_message m "
        "WHERE m.conversation_id = c.id AND m.kind <> 'event'), ''), coalesce(ct.name || ' ' || ct.email, '') "
        f"FROM conversations_conversation c LEFT JOIN contacts_contact ct ON ct.id = c.contact_id WHERE {where}",
    ]


def _body(*wheres: str) -> str:
    """Return a trigger body re-indexing the conversations each `where` selects."""
    return "BEGIN " + " ".join(f"{statement};" for where in wheres for statement in _reindex(where)) + " END"


#: name -> DDL; a message's move between conversations (a merge) re-indexes both of them.
OBJECTS = {
    TABLE: f"CREATE VIRTUAL TABLE {TABLE} USING fts5(subject, body, customer, tokenize='{TOKENIZER}')",
    "search_conversation_ai": "CREATE TRIGGER search_conversation_ai AFTER INSERT ON conversations_conversation "
                              + _body('c.id = new.id'),
    "search_conversation_au": "CREATE TRIGGER search_conversation_au AFTER UPDATE OF subject, contact_id ON conversations_conversation "
                              "WHEN old.subject IS NOT new.subject OR old.contact_id IS NOT new.contact_id "
                              + _body('c.id = new.id'),
    "search_conversation_ad": "CREATE TRIGGER search_conversation_ad AFTER DELETE ON conversations_conversation "
                              f"BEGIN DELETE FROM {TABLE} WHERE rowid = old.id; END",
    "search_message_ai": "CREATE TRIGGER search_message_ai AFTER INSERT ON conversations_message WHEN new.kind <> 'event' "
                         + _body('c.id = new.conversation_id'),
    "search_message_au": "CREATE TRIGGER search_message_au AFTER UPDATE OF text, kind, conversation_id ON conversations_message "
                         "WHEN (old.text IS NOT new.text OR old.kind IS NOT new.kind OR old.conversation_id IS NOT new.conversation_id) "
                         "AND (old.kind <> 'event' OR new.kind <> 'event') "
                         + _body('c.id = old.conversation_id', 'c.id = new.conversation_id'),
    "search_message_ad": "CREATE TRIGGER search_message_ad AFTER DELETE ON conversations_message WHEN old.kind <> 'event' "
                         + _body('c.id = old.conversation_id'),
    "search_contact_au": "CREATE TRIGGER search_contact_au AFTER UPDATE OF name, email ON contacts_contact "
                         "WHEN old.name IS NOT new.name OR old.email IS NOT new.email "
                         + _body('c.contact_id = new.id'),
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the fts table and triggers and fill the table, unless everything is already in place."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        if set(OBJECTS) <= {row[0] for row in cursor.fetchall()}:
            return
        uninstall(connection)
        for statement in OBJECTS.values():
            cursor.execute(statement)
        for statement in _reindex("1 = 1"):
            cursor.execute(statement)


def suspend(connection: BaseDatabaseWrapper) -> None:
    """Drop the index before schema changes; `install` rebuilds it from the tables afterwards."""
    uninstall(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the fts table and its triggers."""
    with connection.cursor() as cursor:
        for name in OBJECTS:
            if name != TABLE:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _match_expression(query: SearchQuery) -> str:
    # Every word is a quoted FTS5 string (the words hold no quotes), so nothing is read as an operator.
    terms = [f'"{word}"' for word in query.words]
    if query.prefix:
        terms[-1] += "*"
    return " ".join(terms)


def matching(query: SearchQuery, connection: BaseDatabaseWrapper) -> Q:
    """Return a condition on conversations: the conversation's document holds every word of `query`."""
    table = connection.ops.quote_name(Conversation._meta.db_table)
    # The unary + stops SQLite from driving the query from the match list: walking conversations newest
    # first and probing the matched set stops after a page, where sorting every match of a common word does not.
    return Q(RawSQL(f"+{table}.id IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)", [_match_expression(query)],
                    output_field=BooleanField()))
