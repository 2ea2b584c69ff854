"""PostgreSQL backend: one tsvector document per conversation, kept in sync by triggers, under a GIN index.

The same shape as the SQLite backend: a conversation's document holds its subject, the text
of its messages (not system events) and its customer's name and email, so "every word
somewhere in the conversation" is what matches, and the planner, which keeps statistics on
the stored tsvectors, can walk the newest conversations and probe the index for a common
word rather than collect every match first. Triggers catch every write path.

Concurrent writes to one conversation are serialized on its row (`FOR UPDATE`) before its
document is rebuilt, and the rebuild runs as a new statement, so it sees the other
transaction's committed message rather than overwriting it with an older view.
"""
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from parley.conversations.models import Conversation
from parley.search.query import SearchQuery

TABLE = "search_conversation_document"
#: English stemming that also ignores accents ("Fernandez" finds "Fernández"), as FTS5's tokenizer does.
CONFIG = "'parley_search'::regconfig"
#: A tsvector holds at most 1 MB; indexing the first 500 000 characters of a conversation stays below it.
MAX_INDEXED_CHARS = 500_000
#: A document this large takes no appended messages: the next append could pass the 1 MB a tsvector holds.
APPEND_LIMIT_BYTES = 400_000

TEXT_SEARCH_CONFIG = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'parley_search') THEN
    CREATE TEXT SEARCH CONFIGURATION parley_search (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION parley_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
END $$
"""

REINDEX_FUNCTION = f"""
CREATE OR REPLACE FUNCTION search_reindex(ids bigint[]) RETURNS void LANGUAGE sql VOLATILE AS $$
  SELECT 1 FROM conversations_conversation WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
  INSERT INTO {TABLE} (conversation_id, document)
  SELECT c.id, to_tsvector({CONFIG}, left(concat_ws(' ', c.subject, ct.name, ct.email,
         (SELECT string_agg(m.text, ' ' ORDER BY m.id) FROM conversations_message m
          WHERE m.conversation_id = c.id AND m.kind <> 'event')), {MAX_INDEXED_CHARS}))
  FROM conversations_conversation c LEFT JOIN contacts_contact ct ON ct.id = c.contact_id
  WHERE c.id = ANY(ids)
  ON CONFLICT (conversation_id) DO UPDATE SET document = EXCLUDED.document;
$$
"""

TRIGGER_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION search_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.kind <> 'event' THEN PERFORM search_reindex(ARRAY[OLD.conversation_id]); END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.kind <> 'event' THEN
    PERFORM search_reindex(ARRAY[NEW.conversation_id]);
  END IF;
  RETURN NULL;
END $$;
-- A new message is appended to its conversation's document (the row lock orders concurrent appends):
-- rebuilding it from every message made each message of a long thread cost as much as the whole thread.
-- A document near the size a tsvector can hold takes no more, as the rebuild indexes only the first characters.
CREATE OR REPLACE FUNCTION search_message_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {TABLE} SET document = document || to_tsvector({CONFIG}, left(NEW.text, {MAX_INDEXED_CHARS}))
  WHERE conversation_id = NEW.conversation_id AND pg_column_size(document) < {APPEND_LIMIT_BYTES};
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION search_conversation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM search_conversation_document WHERE conversation_id = OLD.id;
  ELSE
    PERFORM search_reindex(ARRAY[NEW.id]);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION search_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_reindex(ARRAY(SELECT id FROM conversations_conversation WHERE contact_id = NEW.id));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION search_conversations_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM search_conversation_document;
  RETURN NULL;
END $$;
"""

TRIGGERS = {
    "search_message_changed": "AFTER DELETE OR UPDATE OF text, kind, conversation_id ON conversations_message "
                              "FOR EACH ROW EXECUTE FUNCTION search_message_changed()",
    "search_message_appended": "AFTER INSERT ON conversations_message FOR EACH ROW "
                               "WHEN (NEW.kind <> 'event' AND NEW.text <> '') EXECUTE FUNCTION search_message_appended()",
    "search_conversation_added": "AFTER INSERT OR DELETE ON conversations_conversation "
                                 "FOR EACH ROW EXECUTE FUNCTION search_conversation_changed()",
    "search_conversation_changed": "AFTER UPDATE OF subject, contact_id ON conversations_conversation FOR EACH ROW "
                                   "WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.contact_id IS DISTINCT FROM NEW.contact_id) "
                                   "EXECUTE FUNCTION search_conversation_changed()",
    "search_contact_changed": "AFTER UPDATE OF name, email ON contacts_contact FOR EACH ROW "
                              "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email) "
                              "EXECUTE FUNCTION search_contact_changed()",
    # Django's flush empties tables with TRUNCATE, which fires no row triggers.
    "search_conversations_truncated": "AFTER TRUNCATE ON conversations_conversation "
                                      "FOR EACH STATEMENT EXECUTE FUNCTION search_conversations_truncated()",
}


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the document table, its functions and triggers, and fill it, unless everything is in place."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal", [list(TRIGGERS)])
        triggers = cursor.fetchone()[0]
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
        if triggers == len(TRIGGERS) and cursor.fetchone()[0]:
            return
        uninstall(connection)
        # unaccent is a trusted extension: the database owner may create it without superuser rights.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(TEXT_SEARCH_CONFIG)
        cursor.execute(f"CREATE TABLE {TABLE} (conversation_id bigint PRIMARY KEY, document tsvector NOT NULL)")
        cursor.execute(REINDEX_FUNCTION)
        cursor.execute(TRIGGER_FUNCTIONS)
        for name, definition in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {name} {definition}")
        cursor.execute("SELECT search_reindex(ARRAY(SELECT id FROM conversations_conversation))")
        cursor.execute(f"CREATE INDEX {TABLE}_gin ON {TABLE} USING gin (document)")
        cursor.execute(f"ANALYZE {TABLE}")


def suspend(connection: BaseDatabaseWrapper) -> None:
    """Keep the index through schema changes: PostgreSQL triggers survive them."""


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the document table, its triggers and functions."""
    with connection.cursor() as cursor:
        for name, definition in TRIGGERS.items():
            table = definition.split(" ON ")[1].split()[0]
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("search_message_changed()", "search_message_appended()", "search_conversation_changed()", "search_contact_changed()",
                         "search_conversations_truncated()", "search_reindex(bigint[])"):
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _searchable(words: list[str], connection: BaseDatabaseWrapper) -> list[str]:
    """Return the words that survive the text search configuration (stop words like "the" do not)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, n) "
                       f"WHERE numnode(to_tsquery({CONFIG}, w)) > 0 ORDER BY n", [words])
        return [row[0] for row in cursor.fetchall()]


def _tsquery(query: SearchQuery, connection: BaseDatabaseWrapper) -> str:
    """Return the tsquery text for every word of `query` ("" when every word is a stop word)."""
    # Words hold only letters, marks and digits, so none can be read as a tsquery operator.
    terms = _searchable(list(query.words), connection)
    if terms and query.prefix and terms[-1] == query.words[-1]:
        terms[-1] += ":*"
    return " & ".join(terms)


def matching_ids(query: SearchQuery, connection: BaseDatabaseWrapper, *, limit: int) -> list[int]:
    """Return up to `limit` conversations whose document holds every word of `query`."""
    tsquery = _tsquery(query, connection)
    if not tsquery:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT conversation_id FROM {TABLE} WHERE document @@ to_tsquery({CONFIG}, %s) LIMIT %s", [tsquery, limit])
        return [row[0] for row in cursor.fetchall()]


def among(ids: list[int], connection: BaseDatabaseWrapper) -> Q:
    """Return a condition on conversations: one of `ids`, the matches of a rare query, each looked up by its number.

    The array is hidden from the planner inside a subquery: seeing thousands of numbers, it expects a walk
    through conversations newest first to meet fifty of them soon, which at a million conversations reads
    thousands of rows for one page. It is passed as one array literal rather than a list of numbers, which
    Django and the driver would handle one by one (about 2 ms for the 3 700 matches of a rare word).
    """
    table = connection.ops.quote_name(Conversation._meta.db_table)
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    return Q(RawSQL(f"{table}.id = ANY(ARRAY(SELECT unnest(%s::bigint[])))", [array], output_field=BooleanField()))


def estimated_matches(query: SearchQuery, connection: BaseDatabaseWrapper, *, conversations: int) -> int:
    """Return how many conversations the planner expects to match `query`, from its statistics on the documents
    (which know how many `conversations` there are)."""
    tsquery = _tsquery(query, connection)
    if not tsquery:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE document @@ to_tsquery({CONFIG}, %s)", [tsquery])
        return round(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])


def matching(query: SearchQuery, connection: BaseDatabaseWrapper, *, share: float) -> Q:
    """Return a condition on conversations: the conversation's document holds every word of `query`.

    The planner walks conversations newest first and probes each one's document, whatever `share` of them matches.
    """
    tsquery = _tsquery(query, connection)
    if not tsquery:
        return Q(pk__in=[])
    return Q(pk__in=RawSQL(f"SELECT conversation_id FROM {TABLE} WHERE document @@ to_tsquery({CONFIG}, %s)", [tsquery]))
