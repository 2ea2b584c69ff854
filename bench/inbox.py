"""Benchmark the agent's inbox: seed a large help desk, then time the lists and searches agents use.

    python bench/inbox.py                                  # 100 000 conversations, 500 000 messages, SQLite
    python bench/inbox.py --conversations 2000 --messages-per-conversation 2
    python bench/inbox.py --database-url postgres://postgres@127.0.0.1:5432/parley_bench   # an empty database
    python bench/inbox.py --reuse --database-url postgres://postgres@127.0.0.1:5432/parley_bench   # time again, no seeding

Prints p50/p95 over --runs runs of each query, and the peak memory of this process. Asserts nothing.
"""
import argparse
import random
import sys
import time
from collections.abc import Callable
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
#: A shared view a supervisor might set up: (name, query string as the workspace saves it).
SAVED_VIEW = ("Urgent, nobody on it", "view=unassigned&priority=urgent")
#: Lists whose own count ("999+ conversations" above the rows) is timed too, by the start of their label.
COUNTED = ("inbox: all, active", "filter:", "search: very common word")


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
    """Fill the database; staff, inboxes and a shared view through the services, the bulk through `harness.row_writer`."""
    from django.db import connection
    from django.utils import timezone

    from parley.accounts.services import agent_create, team_create
    from parley.channels.services import inbox_create
    from parley.contacts.models import Contact
    from parley.conversations.models import Conversation, Direction, Message, MessageKind, Tag
    from parley.desk.services import saved_view_create

    words, weights = vocabulary(rng)

    def sentence(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(low, high)))

    agents = [agent_create(email=f"agent{n}@bench.test", name=f"{rng.choice(FIRST_NAMES)} Agent{n}",
                           role="admin" if n == 0 else "agent") for n in range(AGENTS)]
    teams = [team_create(name=f"Team {n}", member_ids=[a.pk for a in agents[n::TEAMS]]) for n in range(TEAMS)]
    inboxes = [inbox_create(name="Shop app", kind="api"), inbox_create(name="Contact form", kind="webform"),
               inbox_create(name="Partner API", kind="api")]
    saved_view_create(owner=agents[0], name=SAVED_VIEW[0], query=SAVED_VIEW[1], shared=True)
    tag_ids = [tag.pk for tag in Tag.objects.bulk_create([Tag(name=f"tag{n}") for n in range(TAGS)])]
    agent_ids, team_ids, inbox_ids = [a.pk for a in agents], [t.pk for t in teams] + [None], [i.pk for i in inboxes]
    write = harness.row_writer(connection)
    now = timezone.now()
    contact_count = max(1, conversations // 2)
    first_contact, first_conversation = harness.next_id(Contact), harness.next_id(Conversation)
    for start in range(0, contact_count, BATCH):
        write(Contact, ("id", "name", "email", "created_at", "updated_at"), [
            (first_contact + n, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", f"customer{n}@example.test", now, now)
            for n in range(start, min(contact_count, start + BATCH))])
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    priorities, priority_weights = list(PRIORITIES), list(PRIORITIES.values())
    done, started = 0, time.perf_counter()
    while done < conversations:
        size = min(BATCH, conversations - done)
        rows, messages, tag_rows = [], [], []
        for conversation_id in range(first_conversation + done, first_conversation + done + size):
            created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            times = [created + timedelta(minutes=15 * i + rng.randint(0, 10)) for i in range(messages_per_conversation)]
            texts = [sentence(8, 30) for _ in times]
            contact_id = first_contact + rng.randrange(contact_count)
            assignee_id = None if rng.random() < 0.25 else rng.choice(agent_ids)
            rows.append((
                conversation_id, rng.choice(inbox_ids), contact_id, sentence(3, 7).capitalize(),
                rng.choices(statuses, status_weights)[0], rng.choices(priorities, priority_weights)[0], assignee_id,
                rng.choice(team_ids), created, now, times[-1] if times else created, times[0] if times else None,
                texts[-1][:200] if texts else "", (len(times) + 1) // 2, len(times) // 2))
            for n, (at, text) in enumerate(zip(times, texts)):
                inbound = n % 2 == 0
                messages.append((conversation_id, Direction.INBOUND if inbound else Direction.OUTBOUND, MessageKind.REPLY,
                                 contact_id if inbound else None, None if inbound else assignee_id, text, at,
                                 "received" if inbound else "sent"))
            tag_rows += [(conversation_id, tag_id) for tag_id in rng.sample(tag_ids, rng.randint(0, 2))]
        write(Conversation, ("id", "inbox_id", "contact_id", "subject", "status", "priority", "assignee_id", "team_id",
                             "created_at", "updated_at", "last_message_at", "last_inbound_at", "preview",
                             "inbound_count", "outbound_count"), rows)
        write(Message, ("conversation_id", "direction", "kind", "sender_contact_id", "author_id", "text", "created_at",
                        "delivery_status"), messages)
        write(Conversation.tags.through, ("conversation_id", "tag_id"), tag_rows)
        done += size
        rate = done / (time.perf_counter() - started)
        harness.progress(f"seeding: {done:,}/{conversations:,} conversations ({done * 100 // conversations}%), "
                         f"{rate:,.0f}/s, about {(conversations - done) / rate:,.0f} s left")
    harness.progress_done()
    harness.sequences_reset(connection, [Contact, Conversation])
    return {"agent": agents[0], "words": words}


def render(conversations) -> list[dict]:
    """Return inbox rows as the list page shows them, so lazy loads would be counted too."""
    return [{"number": c.number, "subject": c.subject, "status": c.status_label, "priority": c.get_priority_display(),
             "contact": str(c.contact), "inbox": c.inbox.name, "assignee": c.assignee.name if c.assignee else "",
             "team": c.team.name if c.team else "", "preview": c.preview, "last_message_at": c.last_message_at.isoformat()}
            for c in conversations]


def scenarios(*, agent, words: list[str]) -> list[tuple[str, dict]]:
    """Return (label, ConversationFilters arguments) for each timed query."""
    from parley.conversations.models import Conversation

    some, email = Conversation.objects.order_by("?").values_list("pk", "contact__email").first()
    rare = words[VOCABULARY_SIZE * 3 // 4]
    return [
        ("inbox: all", {"view": "all"}),
        ("inbox: mine", {"view": "mine"}),
        ("inbox: unassigned", {"view": "unassigned"}),
        ("inbox: all, active", {"view": "all", "status": "active"}),
        ("filter: open + high + tag", {"view": "all", "status": "open", "priority": "high", "tag": "tag3"}),
        (f"saved view: {SAVED_VIEW[0]} ({SAVED_VIEW[1]})", saved_view_filters(agent)),
        (f"search: very common word ({words[1]})", {"text": words[1]}),
        (f"search: less common word ({words[18]})", {"text": words[18]}),
        (f"search: rare word ({rare})", {"text": rare}),
        (f"search: two words ({words[16]} {words[8]})", {"text": f"{words[16]} {words[8]}"}),
        (f"search: prefix ({words[10][:5]})", {"text": words[10][:5]}),
        ("search: customer email", {"text": email}),
        ("search: #number", {"text": f"#{some}"}),
    ]


def saved_view_filters(agent) -> dict:
    """Return the filters of the shared view as the workspace reads them from its query string."""
    from dataclasses import asdict

    from django.http import QueryDict

    from parley.desk.selectors import saved_views
    from parley.workspace.forms import ConversationListForm

    form = ConversationListForm(QueryDict(saved_views(agent=agent).get(name=SAVED_VIEW[0]).query))
    if not form.is_valid():
        sys.exit(f"The saved view's query is refused: {form.errors.as_text()}")
    return asdict(form.filters())


def counts(*, agent, lists: list[tuple[str, dict]]) -> list[tuple[str, Callable[[], object]]]:
    """Return (label, call) for the counts pages show: the sidebar's, and a list's own above its rows ("999+")."""
    from parley.conversations.selectors import ConversationFilters, capped_count, conversation_list, view_counts

    saved = ConversationFilters(**saved_view_filters(agent))
    return [("sidebar counts (4 views)", lambda: view_counts(user=agent)),
            ("sidebar count of the saved view", lambda: capped_count(conversation_list(user=agent, filters=saved))),
            *((f"list count: {label}", lambda filters=filters: capped_count(conversation_list(
                user=agent, filters=ConversationFilters(**filters)))) for label, filters in lists)]


def first_page(*, agent, filters: dict) -> Callable[[], int]:
    """Return a call that renders the first page of one list query and returns its row count."""
    from parley.conversations.selectors import ConversationFilters, conversation_list

    return lambda: len(render(conversation_list(user=agent, filters=ConversationFilters(**filters))[:PAGE]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="time again on a database an earlier run of this benchmark seeded (--database-url or --data-dir)")
    harness.seeded_database_arguments(parser)
    harness.run_in_data_dir(parser.parse_args(), run)


def _earlier_seed(*, seed: int) -> dict:
    """What an earlier run seeded with the same --seed: its admin agent and vocabulary."""
    from parley.accounts.models import User

    agent = User.objects.filter(email="agent0@bench.test").first()
    if agent is None:
        sys.exit("--reuse needs a database this benchmark seeded before.")
    # The vocabulary is the first thing drawn from the seeded generator, so the same seed gives the same words.
    return {"agent": agent, "words": vocabulary(random.Random(seed))[0]}


def run(args: argparse.Namespace, data_dir: Path) -> None:
    """Seed the database (unless reused), time every query and print the table."""
    harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
    from django.db import connection

    from parley.conversations.models import Conversation

    print(f"database: {connection.vendor}" + ("" if args.database_url or args.data_dir else " (embedded, in a temporary data dir)"))
    if args.reuse:
        seeded = _earlier_seed(seed=args.seed)
    elif Conversation.objects.exists():
        sys.exit("The database already holds conversations; point --database-url at an empty database (or --reuse it).")
    else:
        seeded = seed_and_index(args, rng=random.Random(args.seed))

    rows = []
    lists = scenarios(agent=seeded["agent"], words=seeded["words"])
    for label, filters in lists:
        harness.progress(f"timing: {label}")
        call = first_page(agent=seeded["agent"], filters=filters)
        timings = harness.timed(call, args.runs)
        rows.append([label, call(), f"{harness.percentile(timings, 50) * 1000:.1f}", f"{harness.percentile(timings, 95) * 1000:.1f}"])
    counted = [(label, filters) for label, filters in lists if label.startswith(COUNTED)]
    for label, call in counts(agent=seeded["agent"], lists=counted):
        harness.progress(f"timing: {label}")
        timings = harness.timed(call, args.runs)
        rows.append([label, "-", f"{harness.percentile(timings, 50) * 1000:.1f}", f"{harness.percentile(timings, 95) * 1000:.1f}"])
    harness.progress_done()
    print(f"\n{Conversation.objects.count():,} conversations, {args.runs} runs each, first page of {PAGE} rendered to dicts\n")
    harness.print_table(["query", "rows", "p50 ms", "p95 ms"], rows)
    print(f"\npeak RSS: {harness.peak_rss_mb():.0f} MiB")


def seed_and_index(args: argparse.Namespace, *, rng: random.Random) -> dict:
    """Seed, then build the full-text index once and refresh the planner's statistics."""
    from django.db import connection

    print(f"seeding {args.conversations:,} conversations x {args.messages_per_conversation} messages with "
          f"{'COPY' if connection.vendor == 'postgresql' else 'bulk_create'} (staff and inboxes through the services)")
    return harness.load_then_index(connection, lambda: seed(
        conversations=args.conversations, messages_per_conversation=args.messages_per_conversation, rng=rng))


if __name__ == "__main__":
    main()
