"""Benchmark the phone channels: signed inbound SMS webhooks and IVR call steps against a running Parley.

    python bench/telephony.py                                  # embedded default (SQLite), temp data dir
    python bench/telephony.py --sms 3000 --calls 500 --concurrency 32
    python bench/telephony.py --database-url postgres://postgres@127.0.0.1:5432/parley_tel --redis-url redis://127.0.0.1:6379/6

Starts Parley as `parley serve` runs it (uvicorn with --workers processes and one `parley
worker`), creates an SMS and a voice inbox with a menu through the services, then:

1. posts --sms inbound texts, each signed with X-Twilio-Signature as Twilio signs it, from
   --concurrency clients (a quarter as many customers as texts, so most continue an open
   conversation), and waits until the worker has turned every stored envelope into a message;
2. walks --calls calls through the IVR, each three signed steps as Twilio sends them: the call
   comes in (greeting and menu), the caller presses 1 (order status read from the contact,
   goodbye), the status callback ends the call.

Reports accepted/s and processed/s for SMS, steps/s for the IVR, and request latency p50/p99
per kind of step. Beside them it prints the floor of ingest.py (a bare ASGI app storing each
posted payload in one table of the same database, posted to by the same number of clients),
which says what the machine allows at that moment. Asserts nothing.
"""
import argparse
import asyncio
import collections
import os
import shutil
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402
import httpx  # noqa: E402
from ingest import Servers, run_floor, wait_processed  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = uuid.uuid4().hex
# Fresh numbers each run: an address belongs to one inbox, and a database may hold an earlier run's inboxes.
SMS_NUMBER = f"+1415{uuid.uuid4().int % 10**7:07d}"
VOICE_NUMBER = f"+1628{uuid.uuid4().int % 10**7:07d}"


def prepare() -> tuple[str, str]:
    """Create the SMS and voice inboxes (and the voice menu) through the services; return their keys."""
    from django.db import connections

    from parley.accounts.services import agent_create
    from parley.channels.services import inbox_create
    from parley.channels.voice.services import ivr_flow_save

    suffix = uuid.uuid4().hex[:6]
    admin = agent_create(email=f"bench-{suffix}@bench.test", name="Bench Admin", role="admin")
    account = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "api_base_url": "http://127.0.0.1:9"}
    sms = inbox_create(name=f"Bench SMS {suffix}", kind="sms", config={**account, "number": SMS_NUMBER})
    voice = inbox_create(name=f"Bench voice {suffix}", kind="voice", config={
        **account, "number": VOICE_NUMBER, "open_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "opens_at": "00:00", "closes_at": "23:59"})
    ivr_flow_save(inbox=voice, start="hours", actor=admin, nodes=[
        {"id": "hours", "type": "hours", "open_next": "main", "closed_next": "closed"},
        {"id": "closed", "type": "voicemail", "text": "We are closed. Please leave a message."},
        {"id": "main", "type": "menu", "text": "Welcome. For your order status press 1 or say order. To leave a message press 2.",
         "options": [{"key": "1", "words": "order", "next": "order"}, {"key": "2", "words": "message", "next": "closed"}]},
        {"id": "order", "type": "order_status", "field": "order_status", "next": "bye"},
        {"id": "bye", "type": "hangup", "text": "Thank you for calling. Goodbye."},
    ])
    connections.close_all()
    return sms.key, voice.key


class Timings:
    def __init__(self):
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.done = 0
        self.started = 0.0
        self.seconds = 0.0


async def post_signed(http: httpx.AsyncClient, base: str, path: str, params: dict, timings: Timings, kind: str) -> None:
    url = base + path
    headers = {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params),
               "Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    try:
        response = await http.post(url, content=urlencode(params), headers=headers)
    except httpx.HTTPError as exc:
        timings.errors[f"{kind}: {type(exc).__name__}"] += 1
        return
    timings.latencies[kind].append(time.perf_counter() - started)
    if response.status_code != 200:
        timings.errors[f"{kind}: {response.status_code}"] += 1


async def run_clients(work, *, count: int, concurrency: int, label: str) -> Timings:
    timings = Timings()
    numbers = iter(range(count))

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            for n in numbers:
                await work(http, n, timings)
                timings.done += 1

    async def report() -> None:
        while True:
            harness.progress(f"{label}: {timings.done:,}/{count:,}, {sum(timings.errors.values()):,} errors")
            await asyncio.sleep(0.5)

    reporter = asyncio.create_task(report())
    timings.started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    timings.seconds = time.perf_counter() - timings.started
    reporter.cancel()
    harness.progress(f"{label}: {timings.done:,}/{count:,}, {sum(timings.errors.values()):,} errors")
    harness.progress_done()
    return timings


def sms_work(base: str, key: str, run: str, customers: int):
    async def work(http, n, timings):
        sid = f"SM{run}{n:024d}"
        await post_signed(http, base, f"/channels/sms/{key}/messages/", {
            "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": f"+1415556{n % customers:04d}",
            "To": SMS_NUMBER, "Body": f"Where is my order? (text {n})", "NumMedia": "0", "NumSegments": "1",
            "ApiVersion": "2010-04-01"}, timings, "inbound SMS")
    return work


def call_work(base: str, key: str, run: str):
    async def work(http, n, timings):
        call = {"CallSid": f"CA{run}{n:024d}", "AccountSid": ACCOUNT_SID, "From": f"+1415557{n % 1000:04d}",
                "To": VOICE_NUMBER, "Direction": "inbound", "ApiVersion": "2010-04-01"}
        await post_signed(http, base, f"/channels/voice/{key}/calls/", {**call, "CallStatus": "ringing"}, timings,
                          "IVR: call comes in")
        await post_signed(http, base, f"/channels/voice/{key}/calls/menu/main/?tries=1",
                          {**call, "CallStatus": "in-progress", "Digits": "1"}, timings, "IVR: menu choice")
        await post_signed(http, base, f"/channels/voice/{key}/calls/status/",
                          {**call, "CallStatus": "completed", "CallDuration": "30"}, timings, "IVR: status callback")
    return work


def start_parley(servers: Servers, *, workers: int, worker_threads: int) -> str:
    """Start uvicorn on a port chosen first, so PARLEY_BASE_URL (what signatures are checked against) names it."""
    port = Servers._free_port()
    base = f"http://127.0.0.1:{port}"
    servers.env["PARLEY_BASE_URL"] = base
    servers.spawn("uvicorn", [sys.executable, "-m", "uvicorn", "parley.asgi:application", "--host", "127.0.0.1",
                              "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"])
    servers.spawn("worker", [sys.executable, "-m", "parley.cli", "worker", f"--concurrency={worker_threads}", "--log-level=warning"])
    for _ in range(600):
        servers._check_alive()
        try:
            if httpx.get(base + "/login/", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("Parley did not answer within 60 s:\n" + servers._logs())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sms", type=int, default=2000, help="inbound texts to post")
    parser.add_argument("--calls", type=int, default=300, help="calls to walk through the IVR (three steps each)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads of the `parley worker`")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--data-dir", help="data dir (default: a new temp dir, removed afterwards)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the texts to be processed")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-ASGI floor")
    args = parser.parse_args()

    data_dir = harness.data_dir(args.data_dir)
    env = harness.environment(data_dir=data_dir, database_url=args.database_url, redis_url=args.redis_url)
    harness.django_setup(env)
    sms_key, voice_key = prepare()
    servers = Servers(dict(env), data_dir)
    run = uuid.uuid4().hex[:6]
    try:
        base = start_parley(servers, workers=args.workers, worker_threads=args.worker_threads)
        from parley.channels.models import Inbox

        sms_inbox_id = Inbox.objects.get(key=sms_key).pk
        since = datetime.now(timezone.utc)
        sms = asyncio.run(run_clients(sms_work(base, sms_key, run, max(1, args.sms // 4)), count=args.sms,
                                      concurrency=args.concurrency, label="inbound SMS"))
        processed = wait_processed(inbox_id=sms_inbox_id, since=since, expected=args.sms, timeout=args.timeout)
        calls = asyncio.run(run_clients(call_work(base, voice_key, run), count=args.calls, concurrency=args.concurrency,
                                        label="IVR calls"))
        servers.stop()
        floor = None if args.no_floor else run_floor(data_dir=data_dir, database_url=args.database_url, workers=args.workers,
                                                     count=args.sms, concurrency=args.concurrency)
    finally:
        servers.stop()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"\n{database}, {args.workers} uvicorn process(es), {args.concurrency} clients, worker threads {args.worker_threads}, "
          f"load average {os.getloadavg()[0]:.1f} at the end\n")
    accepted = len(sms.latencies["inbound SMS"]) - sum(n for k, n in sms.errors.items() if k.startswith("inbound SMS"))
    done, failed, finished = processed
    rows = [["inbound SMS", f"{args.sms:,}", f"{accepted / sms.seconds:.1f} accepted/s",
             f"{harness.percentile(sms.latencies['inbound SMS'], 50) * 1000:.1f} ms",
             f"{harness.percentile(sms.latencies['inbound SMS'], 99) * 1000:.1f} ms"]]
    steps = sum(len(v) for v in calls.latencies.values())
    for kind, values in calls.latencies.items():
        rows.append([kind, f"{len(values):,}", f"{steps / calls.seconds:.1f} steps/s (all kinds)",
                     f"{harness.percentile(values, 50) * 1000:.1f} ms", f"{harness.percentile(values, 99) * 1000:.1f} ms"])
    if floor is not None:
        rows.append(["floor (bare ASGI, one insert)", f"{floor.sent:,}", f"{floor.accepted / floor.seconds:.1f} accepted/s",
                     f"{harness.percentile(floor.latencies, 50) * 1000:.1f} ms", f"{harness.percentile(floor.latencies, 99) * 1000:.1f} ms"])
    harness.print_table(["webhook", "requests", "throughput", "latency p50", "latency p99"], rows)
    print(f"\nSMS processed by the worker: {done:,} ({failed:,} failed envelopes), "
          f"{done / (finished - sms.started):.1f} processed/s from the first request until the last was processed")
    print("errors: " + (", ".join(f"{k}: {n}" for k, n in sorted({**sms.errors, **calls.errors}.items())) or "none"))


if __name__ == "__main__":
    main()
