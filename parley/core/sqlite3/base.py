"""Django's SQLite backend, waiting for the write lock in short steps.

SQLite has one writer at a time. When a transaction finds another writer, SQLite's own busy
handler sleeps 1, 2, 5, 10, 15, 20, 25… up to 100 ms between tries, so a web request that
meets a worker's 3 ms transaction waits 8 ms or more, and threads that keep meeting each other
spend most of their time asleep. Transactions start with BEGIN IMMEDIATE (they take the lock
up front, see settings); this backend retries that BEGIN every few hundred microseconds
instead, up to the same timeout. Statements outside a transaction keep SQLite's handler.
"""
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

FIRST_RETRY_SECONDS = 0.0002
MAX_RETRY_SECONDS = 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        delay = FIRST_RETRY_SECONDS
        begin = "BEGIN" if self.transaction_mode is None else f"BEGIN {self.transaction_mode}"
        with self.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")
            try:
                while True:
                    try:
                        cursor.execute(begin)
                        return
                    except OperationalError as exc:
                        if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                            raise
                    time.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_SECONDS)
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
