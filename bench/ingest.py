"""Benchmark inbound: post customer messages to an API inbox over real HTTP and watch them get processed.

    python bench/ingest.py                      # starts uvicorn + `parley worker` on a temp embedded data dir
    python bench/ingest.py --concurrency 1      # one sequential client
    python bench/ingest.py --count 5000 --concurrency 32 --workers 2
    python bench/ingest.py --database-url postgres://postgres@127.0.0.1:5432/parley_ingest --redis-url redis://127.0.0.1:6379/3
    python bench/ingest.py --url http://127.0.0.1:8000 --token prl_… --inbox-id 3 [--database-url … | --data-dir …]

Reports accepted/s (HTTP 202s), processed/s (until every accepted envelope is processed:
contact resolved, threaded into a conversation, indexed for search, events written), request
latency p50/p99 and errors by status. Beside Parley's figures it prints the floor's: a bare
ASGI app (bench/floor_app.py) that stores the same payloads in the same kind of database and
commits, served the same way and posted to by the same client loop. Against a server it did
not start, processing is watched only when it is given that server's database (--database-url
or --data-dir), and no floor is run. Asserts nothing.
"""
import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402
import httpx  # noqa: E402

WORDS = ("my order has not arrived yet can you check the tracking please also the invoice is wrong and I "
         "would like a refund for the broken part thanks").split()


class Load:
    """Counters shared by the posting workers."""

    def __init__(self):
        self.sent = 0
        self.accepted = 0
        self.latencies: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.seconds = 0.0


def payload(n: int, run: str, customers: int) -> dict:
    customer = n % customers
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(12)]
    return {"contact": {"source_id": f"bench-{run}-{customer}", "name": f"Customer {customer}"},
            "text": " ".join(words) + f" (message {n})", "idempotency_key": f"bench-{run}-{n}"}


async def post_all(*, url: str, token: str, inbox_id: int, count: int, concurrency: int, label: str) -> tuple[Load, float]:
    """Post `count` messages from `concurrency` clients; return the counters and when posting started (perf_counter)."""
    load = Load()
    run = uuid.uuid4().hex[:8]
    customers = max(1, count // 4)
    numbers = iter(range(count))
    endpoint = f"{url}/api/v1/inboxes/{inbox_id}/messages"
    headers = {"Authorization": f"Bearer {token}"}

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            for n in numbers:
                started = time.perf_counter()
                try:
                    response = await http.post(endpoint, json=payload(n, run, customers))
                except httpx.HTTPError as exc:
                    load.errors[type(exc).__name__] += 1
                else:
                    load.latencies.append(time.perf_counter() - started)
                    if response.status_code == 202:
                        load.accepted += 1
                    else:
                        load.errors[str(response.status_code)] += 1
                load.sent += 1

    async def report() -> None:
        while True:
            status()
            await asyncio.sleep(0.5)

    def status() -> None:
        harness.progress(f"{label}: {load.sent:,}/{count:,} sent, {load.accepted:,} accepted, {sum(load.errors.values()):,} errors")

    reporter = asyncio.create_task(report())
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    load.seconds = time.perf_counter() - started
    reporter.cancel()
    status()
    harness.progress_done()
    return load, started


def wait_processed(*, inbox_id: int, since: datetime, expected: int, timeout: float) -> tuple[int, int, float]:
    """Poll the database until `expected` envelopes since `since` are processed or failed; return (processed, failed, when)."""
    from django.db import connection
    from django.db.models import Count

    from parley.channels.models import EnvelopeStatus, InboundEnvelope

    deadline = time.monotonic() + timeout
    processed = failed = 0
    while True:
        counts = collections.Counter(dict(InboundEnvelope.objects.filter(inbox_id=inbox_id, received_at__gte=since)
                                          .values_list("status").annotate(n=Count("id"))))
        processed, failed = counts[EnvelopeStatus.PROCESSED], counts[EnvelopeStatus.FAILED]
        finished = time.perf_counter()
        harness.progress(f"processing: {processed:,}/{expected:,} processed, {failed:,} failed")
        if processed + failed >= expected or time.monotonic() > deadline:
            harness.progress_done()
            return processed, failed, finished
        connection.close()
        time.sleep(0.2)


class Servers:
    """Server processes on the benchmark's data dir, stopped on exit."""

    def __init__(self, env: dict[str, str], data_dir: Path):
        self.env, self.data_dir = env, data_dir
        self.processes: list[tuple[str, subprocess.Popen, Path]] = []

    def uvicorn(self, name: str, app: str, *, workers: int, ready_path: str, app_dir: Path | None = None,
                env: dict[str, str] | None = None, options: tuple[str, ...] = ()) -> str:
        """Start `app` under uvicorn with `workers` processes (and more uvicorn `options`); return its URL once it answers `ready_path`."""
        port = self._free_port()
        command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers), "--log-level", "warning", "--no-access-log", *options]
        self.spawn(name, command + (["--app-dir", str(app_dir)] if app_dir else []), env=env)
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            self._check_alive()
            try:
                if httpx.get(url + ready_path, timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{name} did not answer within 60 s:\n" + self._logs())

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = self.data_dir / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(command, env=env or self.env, cwd=self.data_dir, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append((name, process, log))

    def stop(self) -> None:
        for _, process, _ in self.processes:
            process.terminate()
        for _, process, _ in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def _check_alive(self) -> None:
        for name, process, _ in self.processes:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}:\n" + self._logs())

    def _logs(self) -> str:
        return "\n".join(f"--- {name}\n{log.read_text(errors='replace')[-3000:]}" for name, _, log in self.processes)

    @staticmethod
    def _free_port() -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def prepare() -> tuple[int, str]:
    """Create an API inbox and an admin's token through the services; return (inbox id, token)."""
    from django.db import connections

    from parley.accounts.services import agent_create, api_token_create
    from parley.channels.services import inbox_create

    suffix = uuid.uuid4().hex[:6]
    admin = agent_create(email=f"bench-{suffix}@bench.test", name="Bench Admin", role="admin")
    _, token = api_token_create(user=admin, name="ingest benchmark")
    inbox = inbox_create(name=f"Bench API {suffix}", kind="api")
    connections.close_all()
    return inbox.pk, token


def start_parley(servers: Servers, *, workers: int, worker_threads: int, redis_url: str) -> str:
    """Start Parley as `parley serve` runs it: uvicorn and a `parley worker`; return the web server's URL."""
    url = servers.uvicorn("uvicorn", "parley.asgi:application", workers=workers, ready_path="/api/v1/openapi.json")
    servers.spawn("worker", [sys.executable, "-m", "parley.cli", "worker", f"--concurrency={worker_threads}",
                             "--log-level=warning"])
    return url


def run_floor(*, data_dir: Path, database_url: str, workers: int, count: int, concurrency: int) -> Load:
    """Serve bench/floor_app.py the same way and post the same load to it; return the counters."""
    import floor_app

    url = database_url or f"sqlite:///{data_dir / 'floor.sqlite3'}"
    floor_app.create_table(url)
    servers = Servers({**os.environ, "FLOOR_DATABASE_URL": url}, data_dir)
    try:
        base = servers.uvicorn("floor", "bench.floor_app:app", workers=workers, ready_path="/ready", app_dir=_HERE.parent)
        load, _ = asyncio.run(post_all(url=base, token="floor", inbox_id=0, count=count, concurrency=concurrency, label="floor"))
    finally:
        servers.stop()
        floor_app.drop_table(url)
    return load


def figures(load: Load | None, *, processed: tuple[int, int, float] | None = None) -> dict[str, str]:
    """Return the table cells of one run (processed: processed count, failed count, seconds until done)."""
    if load is None:
        return {}
    cells = {"requests": f"{load.sent:,}", "accepted (202)": f"{load.accepted:,}",
             "accepted/s": f"{load.accepted / load.seconds:.1f}" if load.seconds else "0.0"}
    if processed is not None:
        done, failed, seconds = processed
        cells.update({"processed": f"{done:,}", "processed/s": f"{done / seconds:.1f}" if seconds else "0.0",
                      "failed envelopes": f"{failed:,}"})
    cells.update({"latency p50": f"{harness.percentile(load.latencies, 50) * 1000:.1f} ms",
                  "latency p99": f"{harness.percentile(load.latencies, 99) * 1000:.1f} ms",
                  "errors by status": ", ".join(f"{status}: {n}" for status, n in sorted(load.errors.items())) or "none"})
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients; 1 is one sequential client")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes (Parley's and the floor's)")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads of the `parley worker` it starts")
    parser.add_argument("--url", help="a running Parley to post to (default: start one)")
    parser.add_argument("--token", help="an API token of that server (with --url)")
    parser.add_argument("--inbox-id", type=int, help="an API inbox of that server (with --url)")
    parser.add_argument("--database-url", default="", help="the database to use (or, with --url, to watch)")
    parser.add_argument("--redis-url", default="", help="Redis for waking workers and the channel layer (default: none)")
    parser.add_argument("--data-dir", help="data dir (default: a new temp dir, removed afterwards)")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-ASGI floor")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for processing to finish")
    args = parser.parse_args()
    if args.url and not (args.token and args.inbox_id):
        parser.error("--url needs --token and --inbox-id")

    data_dir = harness.data_dir(args.data_dir)
    watch = not args.url or bool(args.database_url or args.data_dir)
    env = harness.environment(data_dir=data_dir, database_url=args.database_url, redis_url=args.redis_url)
    servers = Servers(env, data_dir)
    floor = processed = None
    try:
        if watch:
            harness.django_setup(env)
        if args.url:
            url, token, inbox_id = args.url.rstrip("/"), args.token, args.inbox_id
        else:
            inbox_id, token = prepare()
            url = start_parley(servers, workers=args.workers, worker_threads=args.worker_threads, redis_url=args.redis_url)
        backend = ("PostgreSQL" if args.database_url else "SQLite") + (" + Redis" if args.redis_url else "")
        started_here = f"started here: {backend}, {args.workers} uvicorn process(es), worker with {args.worker_threads} threads"
        print(f"target: {url} ({started_here if not args.url else 'running server'}), inbox {inbox_id}")
        print(f"posting {args.count:,} messages with {args.concurrency} concurrent client(s)")
        since = datetime.now(timezone.utc)
        load, started = asyncio.run(post_all(url=url, token=token, inbox_id=inbox_id, count=args.count,
                                             concurrency=args.concurrency, label="parley"))
        if watch:
            done, failed, finished = wait_processed(inbox_id=inbox_id, since=since, expected=load.accepted, timeout=args.timeout)
            processed = (done, failed, finished - started)
        servers.stop()
        if not args.url and not args.no_floor:
            floor = run_floor(data_dir=data_dir, database_url=args.database_url, workers=args.workers,
                              count=args.count, concurrency=args.concurrency)
        parley_cells, floor_cells = figures(load, processed=processed), figures(floor)
        if not watch:
            parley_cells["processed"] = "not watched (give --database-url or --data-dir of that server)"
        print()
        harness.print_table(["figure", "Parley", "floor (bare ASGI + same database)"],
                            [[name, value, floor_cells.get(name, "—" if floor else "not run")]
                             for name, value in parley_cells.items()])
        print(f"\npeak RSS (this client): {harness.peak_rss_mb():.0f} MiB")
    finally:
        servers.stop()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
