"""Benchmark the worker's share of an inbound message: statements and CPU per message, by queue.

    python bench/worker_cost.py                       # embedded default (SQLite in a temp dir)
    python bench/worker_cost.py --messages 1000 --customers 250
    python bench/worker_cost.py --database-url postgres://postgres@127.0.0.1:5432/parley_worker_cost

Accepts --messages customer messages through the API channel's service (as a request does), then
runs the worker's loop in this process until nothing is left, counting for each queue its jobs,
the SQL statements they sent and the CPU time they took. Statements and CPU time do not depend
on what else the machine is doing, where throughput does: compare these between versions, and
ingest.py's figures on a quiet machine. Asserts nothing.
"""
import argparse
import collections
import shutil
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--customers", type=int, default=0, help="distinct customers (default: a quarter of the messages)")
    parser.add_argument("--database-url", default="", help="an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    customers = args.customers or max(1, args.messages // 4)
    data_dir = harness.data_dir(None)
    try:
        harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
        from django.db import connection

        from parley.accounts.services import agent_create
        from parley.channels.api.services import api_message_accept
        from parley.channels.services import inbox_create
        from parley.core import jobs

        admin = agent_create(email="bench@example.test", name="Bench", password="bench-password-1", role="admin")
        inbox = inbox_create(name="Bench API", kind="api")
        for n in range(args.messages):
            api_message_accept(inbox=inbox, actor=admin, payload={
                "contact": {"source_id": f"customer-{n % customers}", "name": f"Customer {n % customers}"},
                "text": f"my order has not arrived yet, can you check the tracking please ({n})",
                "idempotency_key": f"bench-{n}"})
            if n % 50 == 0:
                harness.progress(f"accepted {n:,}/{args.messages:,}")

        jobs_run, statements, cpu = collections.Counter(), collections.Counter(), collections.Counter()
        run = jobs._run

        def measured(job):
            sent = 0

            def count(execute, sql, params, many, context):
                nonlocal sent
                sent += 1
                return execute(sql, params, many, context)

            started = time.process_time()
            with connection.execute_wrapper(count):
                done = run(job)
            cpu[job.queue] += time.process_time() - started
            statements[job.queue] += sent
            jobs_run[job.queue] += 1
            return done

        jobs._run = measured
        started_all = time.process_time()
        while jobs.run_due(limit=50):
            harness.progress(f"processed: {dict(jobs_run)}")
        total_cpu = time.process_time() - started_all
        harness.progress_done()
        rows = [[queue, jobs_run[queue], f"{statements[queue] / args.messages:.1f}", f"{cpu[queue] * 1000 / args.messages:.2f}"]
                for queue in sorted(jobs_run, key=lambda q: -cpu[q])]
        rows.append(["all (with claiming and finishing jobs)", sum(jobs_run.values()),
                     f"{sum(statements.values()) / args.messages:.1f}", f"{total_cpu * 1000 / args.messages:.2f}"])
        print(f"\n{args.messages:,} messages from {customers:,} customers, {connection.vendor}\n")
        harness.print_table(["queue", "jobs", "statements per message", "CPU ms per message"], rows)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
