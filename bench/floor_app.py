"""The floor of the ingest benchmark: a bare ASGI app that stores each posted payload and commits.

No Django, no framework: read the body, insert it as JSON into one table of the same kind of
database Parley runs on, commit, answer 202 with the new row's id. Whatever Parley takes beyond
this is Parley's own cost. `bench/ingest.py` creates the table and serves this with uvicorn
(`bench.floor_app:app` from the repository root, same `--workers`), configured by FLOOR_DATABASE_URL: `sqlite:///path` or
`postgres://…`.
"""
import json
import os
import sqlite3

TABLE = "bench_floor_envelope"
CREATE = {
    "sqlite": f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, payload TEXT)",
    "postgresql": f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, external_id text UNIQUE, payload jsonb)",
}
INSERT = f"INSERT INTO {TABLE} (external_id, payload) VALUES (%s, %s) RETURNING id"


def vendor(url: str) -> str:
    return "sqlite" if url.startswith("sqlite:") else "postgresql"


def create_table(url: str) -> None:
    """Create (or empty) the floor's table in the database at `url`."""
    if vendor(url) == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(CREATE["sqlite"])
            db.execute(f"DELETE FROM {TABLE}")
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(CREATE["postgresql"])
        db.execute(f"TRUNCATE {TABLE}")


def drop_table(url: str) -> None:
    """Drop the floor's table (PostgreSQL: the benchmark's database may be kept)."""
    if vendor(url) == "postgresql":
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Store:
    """One connection (SQLite, the same pragmas as Parley) or a small pool (PostgreSQL), opened lazily."""

    def __init__(self, url: str):
        self.url, self.kind = url, vendor(url)
        self.sqlite: sqlite3.Connection | None = None
        self.pool = None

    async def insert(self, external_id: str, payload: str) -> int:
        if self.kind == "sqlite":
            if self.sqlite is None:
                self.sqlite = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20, isolation_level=None)
                self.sqlite.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;")
            db = self.sqlite
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(INSERT.replace("%s", "?"), (external_id, payload)).fetchone()
            db.execute("COMMIT")
            return row[0]
        if self.pool is None:
            from psycopg_pool import AsyncConnectionPool

            self.pool = AsyncConnectionPool(self.url, min_size=1, max_size=10, open=False)
            await self.pool.open()
        async with self.pool.connection() as db:
            cursor = await db.execute(INSERT, (external_id, payload))
            return (await cursor.fetchone())[0]


store = Store(os.environ.get("FLOOR_DATABASE_URL", "sqlite:///floor.sqlite3"))


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, answer = 404, {"message": "Not found.", "extra": {}}
    if scope["method"] == "POST":
        try:
            payload = json.loads(body)
            key = str(payload["idempotency_key"])
        except (ValueError, KeyError, TypeError):
            status, answer = 422, {"message": "Expected JSON with an idempotency_key.", "extra": {}}
        else:
            status, answer = 202, {"envelope_id": await store.insert(key, json.dumps(payload)), "status": "received"}
    elif scope["path"] == "/ready":
        status, answer = 200, {}
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(answer).encode()})
