"""Benchmark the email channel: parse throughput, and end-to-end ingest through the SMTP receiver.

    python bench/email.py [--count 10000] [--database-url postgres://...]

Parses a mixed corpus (the parser's test corpus plus generated new mails and replies), then
sends the same mails with smtplib to run_smtpd, which stores each envelope and (tasks run
in-process) turns it into a conversation before answering 250. Prints mails/s, peak Python
allocations (tracemalloc) while parsing and the process's peak RSS. Uses a temporary data
directory (SQLite) unless --database-url points at an empty PostgreSQL database.
"""
import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the stdlib's email package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import smtplib  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from email.message import EmailMessage  # noqa: E402

CORPUS = _HERE.parent / "tests" / "channels" / "email" / "corpus"
_MESSAGE_ID_HEADER = re.compile(rb"^Message-ID:[^\n]*\n(?:[ \t][^\n]*\n)*", re.IGNORECASE | re.MULTILINE)


def _generated(n: int, earlier: list[str]) -> bytes:
    msg = EmailMessage()
    customer = f"customer{n % 500}@bench.test"
    msg["From"] = f"Customer {n % 500} <{customer}>"
    msg["To"] = "support@example.test"
    msg["Message-ID"] = f"<gen-{n}@bench.test>"
    if earlier and n % 3 == 0:
        parent = random.choice(earlier)
        msg["Subject"] = "Re: Question about order"
        msg["In-Reply-To"] = f"<{parent}>"
        msg["References"] = f"<{parent}>"
        msg.set_content(f"Any news on this?\n\nOn Mon, someone wrote:\n> Question {n}\n> about my order\n")
    else:
        msg["Subject"] = f"Question about order {n}"
        msg.set_content(f"Hello,\n\nmy order {n} has not arrived yet.\n\n-- \nCustomer {n % 500}\n")
        msg.add_alternative(f"<p>Hello,</p><p>my order <b>{n}</b> has not arrived yet.</p>", subtype="html")
    earlier.append(f"gen-{n}@bench.test")
    return msg.as_bytes()


def corpus(count: int) -> list[bytes]:
    """Return `count` mails: recorded corpus files (with fresh Message-IDs) and generated ones, mixed."""
    random.seed(7)
    recorded = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))] if CORPUS.is_dir() else []
    mails, earlier = [], []
    for n in range(count):
        if recorded and n % 4 == 0:
            raw = _MESSAGE_ID_HEADER.sub(b"", recorded[(n // 4) % len(recorded)])
            mails.append(f"Message-ID: <rec-{n}@bench.test>\r\n".encode() + raw)
        else:
            mails.append(_generated(n, earlier))
    return mails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    options = parser.parse_args(argv)

    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-email-")
    os.environ["PARLEY_JOBS_EAGER"] = "1"
    os.environ.setdefault("PARLEY_LOG_LEVEL", "ERROR")
    if options.database_url:
        os.environ["DATABASE_URL"] = options.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from parley.channels.email.parsing import parse_email
    from parley.channels.email.smtpd import run_smtpd
    from parley.channels.services import inbox_create
    from parley.conversations.models import Conversation, Message

    call_command("migrate", verbosity=0)
    mails = corpus(options.count)
    size = sum(len(m) for m in mails)
    print(f"corpus: {len(mails)} mails, {size / 1_048_576:.1f} MB, database: {django.db.connection.vendor}")

    started = time.perf_counter()
    for raw in mails:
        parse_email(raw)
    parse_seconds = time.perf_counter() - started
    # Traced separately: tracemalloc slows parsing several times over.
    tracemalloc.start()
    for raw in mails[:1000]:
        parse_email(raw)
    _, parse_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"parse:  {len(mails) / parse_seconds:8.0f} mails/s  ({parse_seconds:.1f} s; peak Python allocations {parse_peak / 1_048_576:.1f} MB over 1000 mails)")

    inbox_create(name="Bench", kind="email", config={"addresses": ["support@example.test"], "rate_limit_per_hour": 0})
    controller = run_smtpd("127.0.0.1", _free_port())
    refused = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", controller.port, timeout=60) as client:
        for raw in mails:
            try:
                client.sendmail("bench@bench.test", ["support@example.test"], raw)
            except smtplib.SMTPException:
                refused += 1
    ingest_seconds = time.perf_counter() - started
    controller.stop()
    conversations, messages = Conversation.objects.count(), Message.objects.filter(direction="in").count()
    print(f"ingest: {len(mails) / ingest_seconds:8.0f} mails/s  ({ingest_seconds:.1f} s end to end: SMTP -> envelope -> conversation)")
    print(f"        {messages} messages in {conversations} conversations, {refused} refused by SMTP")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
