"""Benchmark the search index on long threads: what one more message costs as a conversation grows.

    python bench/long_thread.py                                                    # embedded default (SQLite)
    python bench/long_thread.py --database-url postgres://postgres@127.0.0.1:5432/parley_thread   # an empty database

Every message is indexed by database triggers as it is stored (docs/adr/0003). Grows one
conversation to each --sizes length and times --samples more messages, each stored in its own
transaction as the worker stores a customer's message. Prints ms per message at each length.
Asserts nothing.
"""
import argparse
import shutil
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402

TEXT = "my order has not arrived yet can you check the tracking please also the invoice is wrong " * 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,200,1000", help="thread lengths to measure at (comma-separated)")
    parser.add_argument("--samples", type=int, default=50, help="messages timed at each length")
    parser.add_argument("--database-url", default="", help="an empty database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    data_dir = harness.data_dir(None)
    try:
        harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
        from django.db import transaction
        from django.utils import timezone

        from parley.channels.services import inbox_create
        from parley.contacts.services import contact_create
        from parley.conversations.models import Conversation, Message

        now = timezone.now()
        conversation = Conversation.objects.create(
            inbox=inbox_create(name="Long threads", kind="api"), contact=contact_create(name="Ada", email="ada@example.com"),
            subject="A long thread", created_at=now, last_message_at=now)
        stored = 0

        def add(count: int) -> None:
            nonlocal stored
            for _ in range(count):
                with transaction.atomic():
                    Message.objects.create(conversation=conversation, direction="in", text=f"{TEXT} {stored}",
                                           delivery_status="received", created_at=now)
                stored += 1
                if stored % 50 == 0:
                    harness.progress(f"{stored} messages in the thread")

        rows = []
        for size in sorted(int(s) for s in args.sizes.split(",")):
            add(max(0, size - stored))
            started = time.perf_counter()
            add(args.samples)
            rows.append([size, f"{(time.perf_counter() - started) / args.samples * 1000:.2f}"])
        harness.progress_done()
        harness.print_table(["messages already in the thread", "ms per new message (stored and indexed)"], rows)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
