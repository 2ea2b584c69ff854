"""`parley serve` end to end: the console script, its web server and worker as real processes.

Runs on the embedded default, or on PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from parley.demo.content import STORIES

START_TIMEOUT = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Return the pids of every live process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Serve:
    """A running `parley serve` whose console output goes to a file the test reads."""

    def __init__(self, parley_bin: str, env: dict, tmp_path: Path, *args: str, port: int | None = None):
        self.port = port or _free_port()
        self.log = tmp_path / "serve.log"
        self.env = env
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([parley_bin, "serve", "--port", str(self.port), *args], env=env,
                                            stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_running(self) -> str:
        def started():
            assert self.process.poll() is None, f"parley serve exited early:\n{self.output()}"
            return re.search(r"Parley is running at (http://\S+?)/?$", self.output(), re.M)

        return _wait_for(started, START_TIMEOUT, "the URL line").group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve(parley_bin, cli_env, tmp_path):
    running = []

    def start(*args: str, port: int | None = None) -> Serve:
        running.append(Serve(parley_bin, cli_env, tmp_path, *args, port=port))
        return running[-1]

    yield start
    for process in running:
        for pid in _descendants(process.process.pid):
            os.kill(pid, signal.SIGKILL)
        process.stop()


def _orm(env: dict, code: str) -> str:
    """Run Django ORM code against the served database and return what it prints."""
    script = "import django; django.setup()\n" + code
    result = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "parley.settings"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.servers
def test_given_a_fresh_machine_when_parley_serves_then_the_demo_is_usable_and_replies_are_delivered(serve):
    server = serve()
    base = server.wait_until_running()
    output = server.output()
    email, password = re.search(r"Admin login: (\S+)\s+password: (\S+)", output).groups()
    assert "Seeding the demo workspace: 150/150 conversations" in output
    assert f"API docs: {base}/api/v1/docs" in output

    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/login/")
        login = client.post("/login/", data={"username": email, "password": password,
                                             "csrfmiddlewaretoken": client.cookies["csrftoken"]})
        assert login.status_code == 302, login.text
        inbox = client.get("/")
        subjects = {story.subjects[0].split("{")[0] for story in STORIES}
        assert inbox.status_code == 200
        assert sum(subject in inbox.text for subject in subjects) >= 3
        assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "Parley API"

        # An API inbox without a callback URL delivers without any outside server (no SMTP, no webhook).
        number = _orm(server.env, "from parley.conversations.models import Conversation\n"
                                  "print(Conversation.objects.filter(inbox__kind='api').first().pk)")
        reply = client.post(f"/c/{number}/reply/", data={"text": "Checking in from the end-to-end test.", "status": ""},
                            headers={"X-CSRFToken": client.cookies["csrftoken"], "Referer": base + "/"})
        assert reply.status_code in (200, 302), reply.text

    # Only the outbox worker marks a reply sent and removes its job, so this proves the worker ran it.
    query = ("from parley.conversations.models import Message\nfrom parley.core.models import Job\n"
             "m = Message.objects.get(text='Checking in from the end-to-end test.')\n"
             "print(m.delivery_status, Job.objects.filter(queue='message.deliver', target_id=m.pk).exists())")
    _wait_for(lambda: _orm(server.env, query) == "sent False", 60, "the worker to deliver the reply")

    children = _descendants(server.process.pid)
    assert len(children) >= 2
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 0
    assert "Stopped." in server.output()
    assert not [pid for pid in children if _alive(pid)]


@pytest.mark.servers
def test_given_a_running_parley_when_the_web_server_dies_then_the_worker_is_stopped_and_serve_fails(serve):
    server = serve("--no-demo")
    server.wait_until_running()
    assert "No agents yet" in server.output()
    children = _descendants(server.process.pid)
    web = next(pid for pid in children if "uvicorn" in Path(f"/proc/{pid}/cmdline").read_text())

    os.kill(web, signal.SIGKILL)

    assert server.process.wait(60) == 1
    assert "the web server exited unexpectedly" in server.output()
    assert not [pid for pid in children if _alive(pid)]


@pytest.mark.servers
def test_given_a_running_parley_when_the_worker_is_killed_then_serve_restarts_it_at_low_priority_and_stays_up(serve):
    server = serve("--no-demo")
    base = server.wait_until_running()

    def worker_pid():
        return next((pid for pid in _descendants(server.process.pid)
                     if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")), None)

    web = next(pid for pid in _descendants(server.process.pid) if "uvicorn" in Path(f"/proc/{pid}/cmdline").read_text())
    def runs_below_the_web_server(pid) -> bool:
        # Jobs take the CPU the web server leaves: a webhook or a caller is answered first on a shared machine.
        return os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, web) + 10

    first = worker_pid()
    _wait_for(lambda: runs_below_the_web_server(first), 30, "the worker to lower its priority")
    os.kill(first, signal.SIGKILL)

    _wait_for(lambda: "background worker was started again" in server.output(), 30, "serve to restart the worker")
    assert "the background worker exited unexpectedly (exit code -9); restarting it" in server.output()
    restarted = worker_pid()
    assert restarted not in (None, first)
    _wait_for(lambda: runs_below_the_web_server(restarted), 30, "the restarted worker to lower its priority")
    assert server.process.poll() is None
    assert httpx.get(base + "/login/", timeout=10).status_code == 200


@pytest.mark.servers
def test_given_a_taken_port_when_parley_serves_then_it_says_so_and_stops_the_worker(serve):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = serve("--no-demo", port=taken.getsockname()[1])

        assert server.process.wait(90) == 1
    assert "exited unexpectedly" in server.output() or "did not start" in server.output()


@pytest.mark.servers
def test_given_parley_serving_when_the_worker_processes_an_api_message_then_the_agent_socket_hears_it_live(serve):
    import json

    from websockets.sync.client import connect

    server = serve()
    base = server.wait_until_running()
    email, password = re.search(r"Admin login: (\S+)\s+password: (\S+)", server.output()).groups()
    secret, inbox_id = _orm(server.env, (
        "from parley.accounts.models import User\n"
        "from parley.accounts.services import api_token_create\n"
        "from parley.channels.models import Inbox\n"
        "_, secret = api_token_create(user=User.objects.get(email='" + email + "'), name='live test')\n"
        "print(secret, Inbox.objects.get(kind='api').pk)")).split()

    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/login/")
        client.post("/login/", data={"username": email, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]})
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        with connect(base.replace("http", "ws") + "/ws/workspace/", additional_headers={"Cookie": cookie, "Origin": base}) as socket_:
            # The client offers compression; serve declines it, since its zlib state would double each socket's memory.
            assert "permessage-deflate" not in socket_.response.headers.get("Sec-WebSocket-Extensions", "")
            posted = client.post(f"/api/v1/inboxes/{inbox_id}/messages", headers={"Authorization": f"Bearer {secret}"},
                                 json={"contact": {"source_id": "live-1", "name": "Lou Live"}, "text": "Is anyone there?",
                                       "idempotency_key": "live-test-1"})
            assert posted.status_code == 202, posted.text

            def heard_received():
                event = json.loads(socket_.recv(timeout=60))
                return event if event.get("event") == "message.received" else None

            event = _wait_for(heard_received, 90, "message.received on the agent's socket")
    # The web server answered before the worker processed the message, so the event came from the worker.
    assert posted.json()["message_id"] is None
    assert event["payload"]["conversation_id"] > 0
