"""Soak the embedded default: stream messages into `parley serve` while its worker is killed again and again.

    python bench/soak.py                       # 10,000 messages, a kill -9 of the worker every 10-20 s
    python bench/soak.py --count 2000 --kill-every 1 3

Posts through the API channel from a few clients, kills the background worker with SIGKILL at
random moments (`parley serve` restarts it), then waits for every accepted message and checks:
each accepted message is in exactly one conversation once (0 lost, 0 duplicated), no envelope
failed, and how often serve restarted the worker. Prints a table; asserts nothing.
"""
import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402
import httpx  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(serve_pid: int) -> list[int]:
    """Return the pids of `parley worker` processes under `serve_pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == serve_pid and b"worker" in cmdline:
            found.append(int(entry.name))
    return found


def killer(serve_pid: int, low: float, high: float, stop: threading.Event, kills: list) -> None:
    while not stop.wait(random.uniform(low, high)):
        for pid in worker_pids(serve_pid):
            try:
                os.kill(pid, signal.SIGKILL)
                kills.append(time.monotonic())
            except ProcessLookupError:
                pass


async def post_all(url: str, token: str, inbox_id: int, count: int, concurrency: int, run: str) -> tuple[set, dict]:
    accepted: set[str] = set()
    errors: dict[str, int] = {}
    numbers = iter(range(count))
    done = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done
        for n in numbers:
            key = f"soak-{run}-{n}"
            body = {"contact": {"source_id": f"soak-{run}-{n % 500}"}, "text": f"soak message {n}", "idempotency_key": key}
            for _ in range(5):  # a refused connection is retried, as an integrating system would
                try:
                    response = await http.post(f"{url}/api/v1/inboxes/{inbox_id}/messages", json=body)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    await asyncio.sleep(0.2)
                    continue
                if response.status_code in (200, 202):
                    accepted.add(key)
                else:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                break
            done += 1
            if done % 100 == 0:
                harness.progress(f"posting: {done:,}/{count:,}, {len(accepted):,} accepted")

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    harness.progress_done()
    return accepted, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--kill-every", type=float, nargs=2, default=(10.0, 20.0), metavar=("MIN", "MAX"),
                        help="seconds between worker kills, drawn at random (default 10 20)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for processing to finish")
    args = parser.parse_args()

    data_dir = harness.data_dir(None)
    env = harness.environment(data_dir=data_dir)
    harness.django_setup(env)
    from django.db import connection

    from parley.accounts.services import agent_create, api_token_create
    from parley.channels.models import EnvelopeStatus, InboundEnvelope
    from parley.channels.services import inbox_create
    from parley.conversations.models import Message

    admin = agent_create(email="soak@bench.test", name="Soak", role="admin")
    _, token = api_token_create(user=admin, name="soak")
    inbox = inbox_create(name="Soak API", kind="api")
    connection.close()

    port = free_port()
    log = open(data_dir / "serve.log", "w+")
    serve = subprocess.Popen([sys.executable, "-m", "parley.cli", "serve", "--no-demo", "--port", str(port)],
                             env=env, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    kills: list[float] = []
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/login/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            log.seek(0)
            raise SystemExit("parley serve did not answer within 60 s:\n" + log.read()[-3000:])
        run = uuid.uuid4().hex[:8]
        threading.Thread(target=killer, args=(serve.pid, *args.kill_every, stop, kills), daemon=True).start()
        started = time.perf_counter()
        accepted, errors = asyncio.run(post_all(url, token, inbox.pk, args.count, args.concurrency, run))
        posted = time.perf_counter()
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            pending = InboundEnvelope.objects.filter(inbox=inbox, status=EnvelopeStatus.RECEIVED).count()
            harness.progress(f"processing: {pending:,} envelopes left, {len(kills)} worker kills so far")
            if not pending:
                break
            connection.close()
            time.sleep(0.5)
        harness.progress_done()
        finished = time.perf_counter()
        stop.set()
        stored = list(Message.objects.filter(conversation__inbox=inbox, direction="in").values_list("external_id", flat=True))
        failed = InboundEnvelope.objects.filter(inbox=inbox, status=EnvelopeStatus.FAILED).count()
        log.seek(0)
        restarts = len(re.findall(r"background worker was started again", log.read()))
        lost = len(accepted - set(stored))
        duplicated = len(stored) - len(set(stored))
        harness.print_table(["figure", "value"], [
            ["messages posted", f"{args.count:,}"],
            ["accepted (200/202)", f"{len(accepted):,}"],
            ["stored as messages", f"{len(stored):,}"],
            ["lost (accepted, not stored)", f"{lost:,}"],
            ["duplicated", f"{duplicated:,}"],
            ["envelopes failed", f"{failed:,}"],
            ["worker kills (SIGKILL)", f"{len(kills):,}"],
            ["worker restarts by serve", f"{restarts:,}"],
            ["client errors (retried)", ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "none"],
            ["accepted/s", f"{len(accepted) / (posted - started):.1f}"],
            ["processed/s (to the last one)", f"{len(set(stored)) / (finished - started):.1f}"],
        ])
    finally:
        stop.set()
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(60)
        if serve.returncode not in (0, None, -15):
            log.seek(0)
            print(log.read()[-3000:])
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
