"""Fixtures shared by every test: agents of each role, inboxes, and a way to run on-commit work."""
import pytest

from parley.accounts.models import Role
from parley.accounts.services import agent_create, team_create


@pytest.fixture
def make_agent(db):
    counter = iter(range(1, 10_000))

    def make(role: str = Role.AGENT, name: str | None = None, **kwargs):
        n = next(counter)
        return agent_create(email=kwargs.pop("email", f"{role}{n}@example.test"), name=name or f"{role.title()} {n}",
                            password="pw-secret-1", role=role)

    return make


@pytest.fixture
def admin(make_agent):
    return make_agent(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def agent(make_agent):
    return make_agent(Role.AGENT, name="Sam Agent")


@pytest.fixture
def team(db, agent):
    return team_create(name="Support", member_ids=[agent.pk])


@pytest.fixture
def api_inbox(db):
    from parley.channels.services import inbox_create

    return inbox_create(name="Shop app", kind="api")


@pytest.fixture
def webform_inbox(db):
    from parley.channels.services import inbox_create

    return inbox_create(name="Contact form", kind="webform")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (events, task enqueues) as a committed transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def parley_server(django_db_setup, django_db_blocker):
    """A real Parley (uvicorn, ASGI: HTTP and WebSocket) on loopback, on the test database.

    Tasks run inside the server process, so a message posted over HTTP is processed and
    pushed to sockets there. Tests using it need `transactional_db` so the server sees their rows.
    Yields the base URL.
    """
    import os
    import subprocess
    import sys
    import time

    import httpx
    from django.conf import settings

    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.test_settings", "DATABASE_URL": _database_url(),
           "PARLEY_DATA_DIR": str(settings.DATA_DIR), "PARLEY_TASKS_EAGER": "1", "PARLEY_SECRET_KEY": settings.SECRET_KEY}
    log = open(settings.DATA_DIR / f"server-{port}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "parley.asgi:application", "--host", "127.0.0.1",
                                "--port", str(port), "--ws", "websockets", "--log-level", "warning"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(settings.DATA_DIR / f'server-{port}.log').read_text()}")
            try:
                httpx.get(base + "/login/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start in 15 s")
        yield base
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()
