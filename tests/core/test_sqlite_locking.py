"""The SQLite engine lets requests take the one write lock between a busy worker's transactions."""
import pytest

from parley.core.sqlite3 import base


@pytest.fixture
def sqlite_connection(tmp_path, django_db_blocker):
    connection = base.DatabaseWrapper({
        "NAME": str(tmp_path / "lock.sqlite3"), "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 5},
        "TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {},
    }, alias="locking")
    with django_db_blocker.unblock():  # a database of its own, beside the test database
        yield connection
        connection.close()


@pytest.fixture
def pauses(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(base.time, "sleep", slept.append)
    return slept


def write_twice(connection) -> None:
    for _ in range(2):
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # as atomic() does
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (x)")
            cursor.execute("INSERT INTO t VALUES (1)")
        connection.commit()
        connection.set_autocommit(True)


def test_a_background_process_leaves_a_gap_after_each_commit_for_waiting_requests(sqlite_connection, pauses, monkeypatch):
    monkeypatch.setattr(base, "_background", True)
    monkeypatch.setattr(base, "_last_background_commit", 0.0)

    write_twice(sqlite_connection)

    assert len(pauses) == 1 and 0 < pauses[0] <= base.BACKGROUND_GAP_SECONDS


def test_a_web_process_begins_at_once_and_polls_faster_than_a_worker(sqlite_connection, pauses, monkeypatch):
    monkeypatch.setattr(base, "_background", False)

    write_twice(sqlite_connection)

    assert pauses == []
    assert base.MAX_RETRY_SECONDS < base.BACKGROUND_MAX_RETRY_SECONDS
