"""Full-text search over published article translations: SQLite FTS5 by default, PostgreSQL at scale.

Both keep one row per published translation (title, tags, plain body, locale) and answer the
same question: which translations in a locale hold any (or all) of these words, best first. Title
words weigh most, then tags, then the body. PostgreSQL stems each locale in its own language;
FTS5 stems with Porter and folds accents. Services write the index (`index`, `remove`): only
published translations are in it.
"""
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE_SQLITE = "knowledge_fts"
TABLE_POSTGRES = "knowledge_document"
#: A tsvector holds at most 1 MB: the first 200 000 characters of a body are indexed.
MAX_INDEXED_CHARS = 200_000
#: PostgreSQL's stemming configuration for each locale; other locales are indexed word for word.
PG_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
              "pt": "portuguese", "sv": "swedish", "da": "danish", "fi": "finnish", "no": "norwegian"}


def pg_config(locale: str) -> str:
    return PG_CONFIGS.get(locale, "simple")


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index table if it is missing, and drop rows whose translation is gone.

    Emptying the database (`flush`) deletes translations without touching this table; SQLite then
    hands out their ids again, so a leftover row would answer for a different article.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE_SQLITE} USING fts5("
                           "title, tags, body, locale UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')")
            cursor.execute(f"DELETE FROM {TABLE_SQLITE} WHERE rowid NOT IN (SELECT id FROM knowledge_articletranslation)")
        else:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE_POSTGRES} (translation_id bigint PRIMARY KEY, "
                           "locale varchar(12) NOT NULL, document tsvector NOT NULL)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE_POSTGRES}_gin ON {TABLE_POSTGRES} USING gin (document)")
            cursor.execute(f"DELETE FROM {TABLE_POSTGRES} d WHERE NOT EXISTS "
                           "(SELECT 1 FROM knowledge_articletranslation t WHERE t.id = d.translation_id)")


def index(connection: BaseDatabaseWrapper, rows: list[tuple[int, str, str, str, str]]) -> None:
    """Add or replace (translation_id, locale, title, tags, plain body) rows."""
    if not rows:
        return
    remove(connection, [row[0] for row in rows])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"INSERT INTO {TABLE_SQLITE} (rowid, locale, title, tags, body) VALUES (%s, %s, %s, %s, %s)",
                               [(pk, locale, title, tags, plain[:MAX_INDEXED_CHARS]) for pk, locale, title, tags, plain in rows])
        else:
            cursor.executemany(
                f"INSERT INTO {TABLE_POSTGRES} (translation_id, locale, document) VALUES (%s, %s, "
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'B') "
                "|| setweight(to_tsvector(%s::regconfig, %s), 'D'))",
                [(pk, locale, pg_config(locale), title, pg_config(locale), tags, pg_config(locale), plain[:MAX_INDEXED_CHARS])
                 for pk, locale, title, tags, plain in rows])


def remove(connection: BaseDatabaseWrapper, translation_ids: list[int]) -> None:
    if not translation_ids:
        return
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(translation_ids))
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {TABLE_SQLITE} WHERE rowid IN ({marks})", translation_ids)
        else:
            cursor.execute(f"DELETE FROM {TABLE_POSTGRES} WHERE translation_id IN ({marks})", translation_ids)


def clear(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE_SQLITE if connection.vendor == 'sqlite' else TABLE_POSTGRES}")


def count_matches(connection: BaseDatabaseWrapper, word: str, *, prefix: bool, locale: str, cap: int) -> int:
    """Return how many translations in `locale` hold `word` (a word it begins, with `prefix`), counting up to `cap`.

    The database reads the word as `search` does (stemmed, accents folded), so this counts what a search matches.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE_SQLITE} WHERE {TABLE_SQLITE} MATCH %s AND locale = %s LIMIT %s)",
                           [_fts5_query([word], prefix=prefix, every=False), locale, cap])
        else:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE_POSTGRES} WHERE locale = %s "
                           "AND document @@ to_tsquery(%s::regconfig, %s) LIMIT %s) AS matches",
                           [locale, pg_config(locale), _tsquery([word], prefix=prefix, every=False), cap])
        return cursor.fetchone()[0]


def search(connection: BaseDatabaseWrapper, words: list[str], *, prefix: bool, locale: str, limit: int,
           every: bool = False, first: int | None = None) -> list[tuple[int, float]]:
    """Return (translation_id, score) for translations in `locale` holding any of `words` (all, with `every`), best first.

    Higher scores are better. Scoring costs every matching row: with `first`, only the first that many matches
    by id are scored, the same ones on every search. `words` hold only letters, marks and digits (search.query),
    so none can be read as query syntax.
    """
    if not words:
        return []
    sqlite = connection.vendor == "sqlite"
    bound = f" ORDER BY {'rowid' if sqlite else 'translation_id'} LIMIT {int(first)}" if first is not None else ""
    with connection.cursor() as cursor:
        if sqlite:
            # bm25 is lower for better matches; its weights follow the column order: title, tags, body.
            cursor.execute(f"SELECT rowid, score FROM (SELECT rowid, -bm25({TABLE_SQLITE}, 8.0, 4.0, 1.0) AS score FROM {TABLE_SQLITE} "
                           f"WHERE {TABLE_SQLITE} MATCH %s AND locale = %s{bound}) ORDER BY score DESC LIMIT %s",
                           [_fts5_query(words, prefix=prefix, every=every), locale, limit])
        else:
            cursor.execute(f"SELECT translation_id, ts_rank_cd(document, q, 1) AS score FROM (SELECT translation_id, document, q "
                           f"FROM {TABLE_POSTGRES}, to_tsquery(%s::regconfig, %s) AS q WHERE locale = %s AND document @@ q{bound}) "
                           "AS matches ORDER BY score DESC LIMIT %s",
                           [pg_config(locale), _tsquery(words, prefix=prefix, every=every), locale, limit])
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


def _fts5_query(words: list[str], *, prefix: bool, every: bool) -> str:
    terms = [f'"{word}"' for word in words]
    if prefix:
        terms[-1] += "*"
    return (" AND " if every else " OR ").join(terms)


def _tsquery(words: list[str], *, prefix: bool, every: bool) -> str:
    terms = list(words)
    if prefix:
        terms[-1] += ":*"
    return (" & " if every else " | ").join(terms)
