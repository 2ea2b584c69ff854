"""Benchmark routing and SLAs: assignments per second from a long queue, and due times recomputed after a calendar change.

    python bench/routing.py                                   # 200 agents, 10 000 queued, 100 000 open; SQLite
    python bench/routing.py --queued 2000 --open 10000 --workers 2
    python bench/routing.py --database-url postgres://postgres@127.0.0.1:5432/parley_bench_routing   # an empty database

Assignment: agents and teams are made through the services, the queue with bulk_create; then
`--workers` threads drain the teams' queues with `routing.services.queue_drain`, each assignment
going through `conversation_assign` (timeline entry, audit entry, durable event) under the row locks
that keep capacity exact. SLA: every open conversation gets due times on a business calendar, a
holiday is added, and `sla.services.sla_recompute` computes them all again, printing its progress.
Prints figures; asserts nothing.
"""
import argparse
import shutil
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402

TEAMS = 10
BATCH = 5000


def seed_staff(*, agents: int, capacity: int):
    """Create agents (online, with a capacity) in TEAMS teams, one inbox per team, least-loaded routing on each team."""
    from django.contrib.auth.hashers import make_password

    from parley.accounts.models import Availability, Role, User
    from parley.accounts.services import team_create
    from parley.channels.services import inbox_create
    from parley.core.actors import SYSTEM
    from parley.routing.models import AgentRouting, Strategy
    from parley.routing.services import routing_policy_save

    password = make_password(None)
    people = User.objects.bulk_create([User(email=f"agent{n}@bench.test", name=f"Agent {n}", role=Role.AGENT, password=password,
                                            availability=Availability.ONLINE) for n in range(agents)])
    AgentRouting.objects.bulk_create([AgentRouting(agent=p, default_capacity=capacity) for p in people])
    inboxes = []
    for t in range(TEAMS):
        team = team_create(name=f"Team {t}", member_ids=[p.pk for p in people[t::TEAMS]])
        inboxes.append(inbox_create(name=f"Inbox {t}", kind="api", default_team=team))
        routing_policy_save(actor=SYSTEM, team=team, strategy=Strategy.LEAST_LOADED)
    return inboxes


def seed_conversations(*, inboxes, count: int, queued: bool) -> list[int]:
    """Bulk-create `count` new conversations spread over the inboxes (and queue them when `queued`); return their ids."""
    from django.utils import timezone

    from parley.contacts.models import Contact
    from parley.conversations.models import Conversation
    from parley.routing.models import QueuedConversation, RoutingPolicy

    now = timezone.now()
    policies = {p.team_id: p for p in RoutingPolicy.objects.all()}
    ids = []
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        contacts = Contact.objects.bulk_create([Contact(name=f"Customer {start + n}") for n in range(size)])
        rows = Conversation.objects.bulk_create([
            Conversation(inbox=inboxes[n % TEAMS], team_id=inboxes[n % TEAMS].default_team_id, contact=contact,
                         subject=f"Question {start + n}", created_at=now - timedelta(minutes=n % 600),
                         last_message_at=now, last_inbound_at=now)
            for n, contact in enumerate(contacts)])
        if queued:
            QueuedConversation.objects.bulk_create([QueuedConversation(conversation=c, policy=policies[c.team_id],
                                                                       queued_at=c.created_at) for c in rows])
        ids.extend(c.pk for c in rows)
        harness.progress(f"seeded {start + size:,} / {count:,} conversations")
    harness.progress_done()
    return ids


def bench_assignment(*, workers: int) -> tuple[int, float]:
    """Drain every team's queue with `workers` threads; return (assignments, seconds)."""
    from django.db import connection

    from parley.routing.models import RoutingPolicy
    from parley.routing.services import queue_drain

    policy_ids = list(RoutingPolicy.objects.values_list("pk", flat=True))
    assigned = []

    def work(ids):
        try:
            assigned.append(sum(queue_drain(policy_id=pk) for pk in ids))
        finally:
            connection.close()

    # Every worker drains every queue, each in its own order: they meet on the same queues, as real workers do.
    threads = [threading.Thread(target=work, args=(policy_ids[w:] + policy_ids[:w],)) for w in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(assigned), time.perf_counter() - started


def bench_sla(*, conversation_count: int) -> list[list]:
    """Give open conversations due times on a business calendar, change the calendar, recompute; return table rows."""
    from parley.core.actors import SYSTEM
    from parley.routing.services import calendar_save
    from parley.routing.models import Holiday
    from parley.sla.models import ConversationSla, SlaPolicy

    calendar = calendar_save(actor=SYSTEM, name="Office", time_zone="Europe/Berlin",
                             hours={day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})
    # Straight to the table: the policy service would queue the same recomputation for a worker.
    SlaPolicy.objects.create(name="Standard", calendar=calendar, first_response_minutes=240, next_response_minutes=120,
                             resolution_minutes=3 * 8 * 60, warn_before_minutes=30)
    rows = []
    for label in ("first computation", "after adding a holiday"):
        if label.startswith("after"):
            Holiday.objects.create(calendar=calendar, date=(ConversationSla.objects.order_by("first_response_due_at")
                                                            .values_list("first_response_due_at", flat=True).first()).date())
        seconds, done = _timed_recompute(calendar.pk if label.startswith("after") else None)
        rows.append([f"SLA due times, {label}", f"{done:,}", f"{seconds:.1f} s", f"{done / seconds:,.0f}/s"])
    return rows


def _timed_recompute(calendar_id):
    from parley.sla.services import sla_recompute

    started = time.perf_counter()

    def show(done, total):
        width = 30
        filled = width * done // max(total, 1)
        harness.progress(f"recomputing [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")

    done = sla_recompute(calendar_id=calendar_id, progress=show)
    harness.progress_done()
    return time.perf_counter() - started, done


def run(args: argparse.Namespace, data_dir: Path) -> None:
    harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
    from django.db import connection

    from parley.conversations.models import Conversation

    if Conversation.objects.exists():
        sys.exit("The database already holds conversations; point --database-url at an empty database.")
    print(f"database: {connection.vendor}" + ("" if args.database_url else " (embedded, in a temporary data dir)"))
    capacity = -(-args.queued // args.agents) + 5
    inboxes = seed_staff(agents=args.agents, capacity=capacity)
    seed_conversations(inboxes=inboxes, count=args.queued, queued=True)
    print(f"draining {args.queued:,} queued conversations to {args.agents} agents in {TEAMS} teams "
          f"(capacity {capacity} each), {args.workers} worker thread(s)")
    assigned, seconds = bench_assignment(workers=args.workers)
    print(f"assigned {assigned:,} in {seconds:.1f} s: {assigned / seconds:,.0f}/s")
    rows = [[f"assignments ({args.workers} worker{'s' if args.workers > 1 else ''})", f"{assigned:,}", f"{seconds:.1f} s",
             f"{assigned / seconds:,.0f}/s"]]
    extra = args.open - Conversation.objects.filter(status__in=("new", "open")).count()
    if extra > 0:
        seed_conversations(inboxes=inboxes, count=extra, queued=False)
    rows += bench_sla(conversation_count=args.open)
    print()
    harness.print_table(["what", "rows", "time", "rate"], rows)
    print(f"peak memory of this process: {harness.peak_rss_mb():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--queued", type=int, default=10_000, help="conversations waiting in the queue")
    parser.add_argument("--open", type=int, default=100_000, help="open conversations whose SLA due times are recomputed")
    parser.add_argument("--workers", type=int, default=1, help="threads draining the queues at once")
    parser.add_argument("--database-url", default="", help="an empty database to fill (default: SQLite in a temp dir)")
    parser.add_argument("--data-dir", help="where the embedded database goes (default: a new temp dir, removed afterwards)")
    args = parser.parse_args()
    data_dir = harness.data_dir(args.data_dir)
    try:
        run(args, data_dir)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
