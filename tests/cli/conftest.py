"""Run the `parley` console script as a user would: a fresh data dir, and a fresh database at scale."""
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest



@pytest.fixture(scope="session")
def parley_bin() -> str:
    """The installed console script, next to this Python."""
    return str(Path(sys.executable).parent / "parley")


@pytest.fixture
def cli_env(tmp_path):
    """Environment for a `parley` subprocess: its own data dir, plus its own PostgreSQL database when
    DATABASE_URL is set (REDIS_URL is passed on), so every run starts from an empty workspace."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "PARLEY_JOBS_EAGER", "DATABASE_URL", "PARLEY_SECRET_KEY", "PARLEY_BASE_URL"}}
    env["PARLEY_DATA_DIR"] = str(tmp_path / "var")
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        yield env
        return
    import psycopg

    parts = urlsplit(database_url)
    name = f"parley_cli_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    env["PARLEY_SECRET_KEY"] = secrets.token_urlsafe(50)
    try:
        yield env
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def run_parley(cli_env, parley_bin):
    """Run `parley <args>` in `cli_env` (with `extra_env` on top) and return the finished process."""

    def run(*args: str, extra_env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([parley_bin, *args], env={**cli_env, **(extra_env or {})}, capture_output=True, text=True,
                              timeout=timeout)

    return run
