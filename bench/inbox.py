"""Benchmark the agent's inbox: seed a large help desk, then time the lists and searches agents use.

    python bench/inbox.py                                  # 100 000 conversations, 500 000 messages, SQLite
    python bench/inbox.py --conversations 2000 --messages-per-conversation 2
    python bench/inbox.py --database-url postgres://postgres@127.0.0.1:5432/parley_bench   # an empty database

Prints p50/p95 over --runs runs of each query, and the peak memory of this process. Asserts nothing.
"""
import argparse
import random
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402

#: Real support words take the most frequent ranks so searches read naturally; made-up words fill the long tail.
COMMON_WORDS = ["order", "refund", "invoice", "delivery", "password", "account", "payment", "shipping", "broken",
                "cancel", "subscription", "login", "error", "upgrade", "discount", "address", "tracking", "printer",
                "warranty", "battery"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "da", "zu", "ri", "on", "el", "ba", "gu", "fe", "ty"]
VOCABULARY_SIZE = 4000
FIRST_NAMES = ["Rita", "Omar", "Li", "Ana", "Kofi", "Mia", "Ivan", "Sara", "Tom", "Yuki", "Lena", "Raj", "Zoe", "Ben"]
LAST_NAMES = ["Ruiz", "Okafor", "Chen", "Silva", "Mensah", "Novak", "Petrov", "Haddad", "Berg", "Sato", "Khan", "Lee"]
STATUSES = {"new": 10, "open": 30, "pending": 10, "on_hold": 5, "solved": 30, "closed": 15}
PRIORITIES = {"low": 20, "normal": 60, "high": 15, "urgent": 5}
AGENTS, TEAMS, TAGS = 20, 3, 20
BATCH = 2000
PAGE = 50


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Return words with Zipf cumulative weights (word n is 1/n as frequent as the first), as in real text."""
    words, seen = list(COMMON_WORDS), set(COMMON_WORDS)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    total, cumulative = 0.0, []
    for rank in range(1, VOCABULARY_SIZE + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


def seed(*, conversations: int, messages_per_conversation: int, rng: random.Random) -> dict:
    """Fill the database; staff and inboxes through the services, the bulk through bulk_create."""
    from django.utils import timezone

    from parley.accounts.services import agent_create, team_create
    from parley.channels.services import inbox_create
    from parley.contacts.models import Contact
    from parley.conversations.models import Conversation, Direction, Message, MessageKind, Tag

    words, weights = vocabulary(rng)

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(low, high)))

    agents = [agent_create(email=f"agent{n}@bench.test", name=f"{rng.choice(FIRST_NAMES)} Agent{n}",
                           role="admin" if n == 0 else "agent") for n in range(AGENTS)]
    teams = [team_create(name=f"Team {n}", member_ids=[a.pk for a in agents[n::TEAMS]]) for n in range(TEAMS)]
    inboxes = [inbox_create(name="Shop app", kind="api"), inbox_create(name="Contact form", kind="webform"),
               inbox_create(name="Partner API", kind="api")]
    tags = Tag.objects.bulk_create([Tag(name=f"tag{n}") for n in range(TAGS)])
    contact_count = max(1, conversations // 2)
    contacts = []
    for start in range(0, contact_count, BATCH):
        contacts += Contact.objects.bulk_create([
            Contact(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", email=f"customer{n}@example.test")
            for n in range(start, min(contact_count, start + BATCH))])
    now = timezone.now()
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    priorities, priority_weights = list(PRIORITIES), list(PRIORITIES.values())
    tag_through = Conversation.tags.through
    done, started = 0, time.perf_counter()
    while done < conversations:
        size = min(BATCH, conversations - done)
        rows, threads = [], []
        for _ in range(size):
            created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            times = [created + timedelta(minutes=15 * i + rng.randint(0, 10)) for i in range(messages_per_conversation)]
            texts = [sentence(8, 30) for _ in times]
            last = times[-1] if times else created
            rows.append(Conversation(
                inbox=rng.choice(inboxes), contact=rng.choice(contacts), subject=sentence(3, 7).capitalize(),
                status=rng.choices(statuses, status_weights)[0], priority=rng.choices(priorities, priority_weights)[0],
                assignee=None if rng.random() < 0.25 else rng.choice(agents), team=rng.choice(teams + [None]),
                created_at=created, last_message_at=last, last_inbound_at=times[0] if times else None,
                preview=texts[-1][:200] if texts else "", inbound_count=(len(times) + 1) // 2, outbound_count=len(times) // 2))
            threads.append(list(zip(times, texts)))
        Conversation.objects.bulk_create(rows)
        messages, tag_rows = [], []
        for conversation, thread in zip(rows, threads):
            for n, (at, text) in enumerate(thread):
                inbound = n % 2 == 0
                messages.append(Message(
                    conversation=conversation, direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                    kind=MessageKind.REPLY, sender_contact=conversation.contact if inbound else None,
                    author=None if inbound else conversation.assignee, text=text, created_at=at,
                    delivery_status="received" if inbound else "sent"))
            tag_rows += [tag_through(conversation_id=conversation.pk, tag_id=tag.pk) for tag in rng.sample(tags, rng.randint(0, 2))]
        Message.objects.bulk_create(messages, batch_size=BATCH)
        tag_through.objects.bulk_create(tag_rows)
        done += size
        rate = done / (time.perf_counter() - started)
        harness.progress(f"seeding: {done:,}/{conversations:,} conversations ({done * 100 // conversations}%), "
                         f"{rate:,.0f}/s, about {(conversations - done) / rate:,.0f} s left")
    harness.progress_done()
    return {"agent": agents[0], "words": words, "contacts": contact_count}


def render(conversations) -> list[dict]:
    """Return inbox rows as the list page shows them, so lazy loads would be counted too."""
    return [{"number": c.number, "subject": c.subject, "status": c.status_label, "priority": c.get_priority_display(),
             "contact": str(c.contact), "inbox": c.inbox.name, "assignee": c.assignee.name if c.assignee else "",
             "team": c.team.name if c.team else "", "preview": c.preview, "last_message_at": c.last_message_at.isoformat()}
            for c in conversations]


def scenarios(*, agent, words: list[str], contacts: int, rng: random.Random) -> list[tuple[str, dict]]:
    """Return (label, ConversationFilters arguments) for each timed query."""
    from parley.conversations.models import Conversation

    some = Conversation.objects.order_by("?").values_list("pk", flat=True).first()
    rare = words[VOCABULARY_SIZE * 3 // 4]
    email = f"customer{rng.randrange(contacts)}@example.test"
    return [
        ("inbox: all", {"view": "all"}),
        ("inbox: mine", {"view": "mine"}),
        ("inbox: unassigned", {"view": "unassigned"}),
        ("inbox: all, active", {"view": "all", "status": "active"}),
        ("filter: open + high + tag", {"view": "all", "status": "open", "priority": "high", "tag": "tag3"}),
        (f"search: very common word ({words[1]})", {"text": words[1]}),
        (f"search: less common word ({words[18]})", {"text": words[18]}),
        (f"search: rare word ({rare})", {"text": rare}),
        (f"search: two words ({words[16]} {words[8]})", {"text": f"{words[16]} {words[8]}"}),
        (f"search: prefix ({words[10][:5]})", {"text": words[10][:5]}),
        ("search: customer email", {"text": email}),
        ("search: #number", {"text": f"#{some}"}),
    ]


def time_query(*, agent, filters: dict, runs: int) -> tuple[int, list[float]]:
    """Return (rows on the first page, seconds per run) for one list query, after a warm-up run."""
    from parley.conversations.selectors import ConversationFilters, conversation_list

    def once() -> int:
        return len(render(conversation_list(user=agent, filters=ConversationFilters(**filters))[:PAGE]))

    rows = once()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        timings.append(time.perf_counter() - started)
    return rows, timings


def time_counts(*, agent, runs: int) -> list[float]:
    from parley.conversations.selectors import view_counts

    timings = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        view_counts(user=agent)
        timings.append(time.perf_counter() - started)
    return timings[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query (after one warm-up)")
    parser.add_argument("--database-url", default="", help="an empty database to fill (default: SQLite in a temp dir)")
    parser.add_argument("--data-dir", help="where the embedded database goes (default: a new temp dir, removed afterwards)")
    parser.add_argument("--seed", type=int, default=7, help="random seed, for repeatable data")
    args = parser.parse_args()

    data_dir = harness.data_dir(args.data_dir)
    try:
        run(args, data_dir)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: Path) -> None:
    """Seed the database, time every query and print the table."""
    harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
    from django.db import connection

    from parley.conversations.models import Conversation
    from parley.search import backend_for

    if Conversation.objects.exists():
        sys.exit("The database already holds conversations; point --database-url at an empty database.")
    rng = random.Random(args.seed)
    print(f"database: {connection.vendor}" + ("" if args.database_url else " (embedded, in a temporary data dir)"))
    print(f"seeding {args.conversations:,} conversations x {args.messages_per_conversation} messages "
          "with bulk_create (staff and inboxes through the services)")
    # Like an importer, load first and build the full-text index once, rather than row by row.
    search_backend = backend_for(connection.vendor)
    search_backend.uninstall(connection)
    started = time.perf_counter()
    seeded = seed(conversations=args.conversations, messages_per_conversation=args.messages_per_conversation, rng=rng)
    print(f"seeded in {time.perf_counter() - started:.1f} s")
    harness.progress("building the full-text index")
    started = time.perf_counter()
    search_backend.install(connection)
    harness.progress_done()
    print(f"full-text index built in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    rows = []
    for label, filters in scenarios(agent=seeded["agent"], words=seeded["words"], contacts=seeded["contacts"], rng=rng):
        harness.progress(f"timing: {label}")
        count, timings = time_query(agent=seeded["agent"], filters=filters, runs=args.runs)
        rows.append([label, count, f"{harness.percentile(timings, 50) * 1000:.1f}", f"{harness.percentile(timings, 95) * 1000:.1f}"])
    harness.progress("timing: sidebar counts")
    timings = time_counts(agent=seeded["agent"], runs=args.runs)
    rows.append(["sidebar counts (4 views)", "-", f"{harness.percentile(timings, 50) * 1000:.1f}", f"{harness.percentile(timings, 95) * 1000:.1f}"])
    harness.progress_done()
    print(f"\n{Conversation.objects.count():,} conversations, {args.runs} runs each, first page of {PAGE} rendered to dicts\n")
    harness.print_table(["query", "rows", "p50 ms", "p95 ms"], rows)
    print(f"\npeak RSS: {harness.peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
