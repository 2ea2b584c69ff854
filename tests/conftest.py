"""Fixtures shared by every test: agents of each role, inboxes, and a way to run on-commit work."""
import contextlib

import pytest

from parley.accounts.models import Role
from parley.accounts.services import agent_create, team_create


def pytest_collection_modifyitems(config, items):
    # A test that drives the browser is a browser test whether or not its module says so: `-m "not browser"` must
    # leave out every one (the at-scale pass of .ci/run does; the pages' database work is tested without a browser).
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    # Tests of the embedded database's own objects have nothing to test on another database: left out, and said so.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    embedded_only = [item for item in items if item.get_closest_marker("sqlite")]
    if embedded_only:
        config.hook.pytest_deselected(items=embedded_only)
        items[:] = [item for item in items if not item.get_closest_marker("sqlite")]


@pytest.fixture(autouse=True)
def _each_test_starts_with_no_rate_limit_counted():
    """Rate-limit counters in Redis outlive a test (database ones roll back with it): sign-ins another test failed for
    agent1@example.test must not lock out the next test's agent1."""
    from django.conf import settings

    if settings.REDIS_URL:
        from django.core.cache import cache

        client = cache._cache.get_client(write=True)
        counters = list(client.scan_iter(match="*ratelimit:*"))
        if counters:
            client.delete(*counters)


@pytest.fixture(autouse=True)
def _each_test_starts_with_nothing_kept():
    """Settings rows a process keeps (parley.core.kept) are forgotten when saved, but a test's rollback sends no signal:
    what one test kept must not answer for the next."""
    from parley.core.kept import forget_all

    forget_all()


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request leaves its language active in the thread (LocaleMiddleware activates, nothing resets it): a test that
    asks in German must not make the next one, calling a service directly, answer in German."""
    yield
    from django.utils import translation

    translation.deactivate()


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


@pytest.fixture
def database_url(django_db_setup) -> str:
    """The test database as a DATABASE_URL, for the processes a test starts."""
    return _database_url()


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def _running_server(extra_env: dict[str, str], *, host: str = "127.0.0.1"):
    """Run Parley under uvicorn on a free loopback port, on the test database; yield its base URL.

    `host` names the loopback in that URL (and PARLEY_BASE_URL): "localhost" for pages that use WebAuthn, which
    browsers refuse on an IP address.
    """
    import os
    import subprocess
    import sys
    import time

    import httpx
    from django.conf import settings

    port = _free_port()
    base = f"http://{host}:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.test_settings", "DATABASE_URL": _database_url(),
           "PARLEY_DATA_DIR": str(settings.DATA_DIR), "PARLEY_JOBS_EAGER": "1", "PARLEY_SECRET_KEY": settings.SECRET_KEY,
           "PARLEY_BASE_URL": base,
           # One server serves many tests, whose rows change between them and whose rollbacks send no signal.
           "PARLEY_KEPT_SECONDS": "0", **extra_env}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log_path = settings.DATA_DIR / f"server-{port}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "parley.asgi:application", "--host", "127.0.0.1",
                                "--port", str(port), "--ws", "websockets", "--log-level", "warning"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
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
def parley_server_factory(django_db_setup, django_db_blocker):
    """Start another Parley server with extra environment (`with parley_server_factory({...}) as base:`).

    For tests that need the server configured differently from the shared `parley_server`,
    such as sending its mail to an SMTP sink the test runs (`parley_server_factory({...}, host="localhost")`
    addresses it as localhost).
    """
    return _running_server


@pytest.fixture(scope="session")
def parley_server(django_db_setup, django_db_blocker):
    """A real Parley (uvicorn, ASGI: HTTP and WebSocket) on loopback, on the test database.

    Tasks run inside the server process, so a message posted over HTTP is processed and
    pushed to sockets there. Tests using it need `transactional_db` so the server sees their rows.
    Yields the base URL.
    """
    with _running_server({}) as base:
        yield base


class SmtpSinkHandler:
    """An aiosmtpd handler that keeps every message it accepts and refuses the addresses in `refused`."""

    def __init__(self):
        self.messages = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink():
    """A real SMTP server on loopback that keeps what it receives: yields (host, port, handler)."""
    from aiosmtpd.controller import Controller

    handler = SmtpSinkHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, handler
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    import os

    from playwright.sync_api import expect, sync_playwright

    # Two cores run the browser, the server and the suite at once: give every wait more room than
    # Playwright's 5 s default. These are upper bounds on waiting, never timing assertions.
    expect.set_options(timeout=15_000)
    # Playwright's sync API keeps an event loop running in this thread, which makes Django refuse
    # the test's own (synchronous) ORM calls; servers the tests start do not inherit this.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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


class ApiClient:
    """Calls /api/v1 with an agent's bearer token; bodies go out as JSON (or as given, when bytes/str)."""

    def __init__(self, secret: str | None):
        from django.test import Client

        self.client = Client(headers={"Authorization": f"Bearer {secret}"} if secret else {})

    def __call__(self, method: str, path: str, body=None, **params):
        import json

        url = "/api/v1" + path
        if method == "get":
            return self.client.get(url, params)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        return getattr(self.client, method)(url, data=data, content_type="application/json")

    def get(self, path, **params):
        return self("get", path, **params)

    def post(self, path, body=None):
        return self("post", path, body)

    def patch(self, path, body=None):
        return self("patch", path, body)

    def put(self, path, body=None):
        return self("put", path, body)

    def delete(self, path):
        return self("delete", path)


@pytest.fixture
def api_as(db):
    """Return a factory: an ApiClient acting as `user` through a freshly created API token."""
    from parley.accounts.services import api_token_create

    return lambda user: ApiClient(api_token_create(user=user, name="tests")[1])


@pytest.fixture
def bearer(db):
    """Return ApiClient: call it with a token secret (None sends no Authorization header)."""
    return ApiClient


@pytest.fixture
def run_due_jobs(db):
    """Return a function that makes every waiting job due (as if its backoff had passed) and runs one round."""
    from django.utils import timezone

    from parley.core import jobs
    from parley.core.models import Job

    def run(queue: str | None = None) -> int:
        waiting = Job.objects.filter(dead_at__isnull=True)
        if queue:
            waiting = waiting.filter(queue=queue)
        waiting.update(due_at=timezone.now(), claimed_until=None)
        return jobs.run_due(limit=1000)

    return run


@pytest.fixture
def question_set() -> dict:
    """The help center of tests/knowledge/help_center_set.json: 34 articles and the questions each answers."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "knowledge" / "help_center_set.json").read_text())


@pytest.fixture
def help_center(db, question_set):
    """The question set's help center, published; returns the articles by key."""
    from parley.core import actors
    from parley.knowledge.services import help_center_import

    return help_center_import(data=question_set, actor=actors.SYSTEM)
