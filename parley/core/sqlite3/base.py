"""Django's SQLite backend, waiting for the write lock in short steps, requests first.

SQLite has one writer at a time. When a transaction finds another writer, SQLite's own busy
handler sleeps 1, 2, 5, 10, 15, 20, 25… up to 100 ms between tries, so a web request that
meets a worker's 3 ms transaction waits 8 ms or more, and threads that keep meeting each other
spend most of their time asleep. Transactions start with BEGIN IMMEDIATE (they take the lock
up front, see settings); this backend retries that BEGIN every few hundred microseconds
instead, up to the same timeout. Statements outside a transaction keep SQLite's handler.

Nothing in SQLite is fair, though: a worker working through a backlog begins its next
transaction microseconds after committing the last, and a web request polling for the lock
lost nearly every race (measured: 11.8 s of 18 s spent waiting, sequential posts at 54/s
instead of 300/s). So a process that declares itself background (`parley worker` does) leaves
a short gap after each of its commits and polls more slowly, and a request, which holds the
lock for a fraction of a millisecond, gets in at the next gap.
"""
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

FIRST_RETRY_SECONDS = 0.0001
MAX_RETRY_SECONDS = 0.0005
BACKGROUND_MAX_RETRY_SECONDS = 0.002
#: Time a background process leaves between committing a transaction and beginning its next.
BACKGROUND_GAP_SECONDS = 0.0004

_background = False
_last_background_commit = 0.0


def run_in_background() -> None:
    """Declare this process background work: its writes let the web server's requests go first."""
    global _background
    _background = True


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        delay = FIRST_RETRY_SECONDS
        max_delay = BACKGROUND_MAX_RETRY_SECONDS if _background else MAX_RETRY_SECONDS
        begin = "BEGIN" if self.transaction_mode is None else f"BEGIN {self.transaction_mode}"
        if _background:
            pause = _last_background_commit + BACKGROUND_GAP_SECONDS - time.monotonic()
            if pause > 0:
                time.sleep(pause)
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
                    delay = min(delay * 2, max_delay)
            finally:
                cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

    def _commit(self):
        super()._commit()
        if _background:
            global _last_background_commit
            _last_background_commit = time.monotonic()
