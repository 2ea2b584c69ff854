"""Benchmark the reports: seed a large help desk, compute its facts, then time the dashboard's queries.

    python bench/reports.py                                  # 100 000 conversations, SQLite
    python bench/reports.py --conversations 2000 --runs 5
    python bench/reports.py --database-url postgres://postgres@127.0.0.1:5432/parley_reports   # an empty database

Prints the cost of computing the facts and their daily rollup (in bulk, and per event as the worker keeps
them current), then
p50/p95 over --runs runs of each dashboard query, and the peak memory of this process. Asserts nothing.
"""
import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402

STATUSES = {"new": 8, "open": 20, "pending": 7, "on_hold": 5, "solved": 40, "closed": 20}
AGENTS, TEAMS, TAGS = 20, 3, 20
BATCH = 2000
CUSTOMER_TEXTS = ["My order is late, this is terrible", "Thanks, that helped a lot!", "Where is my refund?",
                  "The app keeps crashing and I am angry", "Can I change my address?", "Great service, thank you"]


def seed(*, conversations: int, rng: random.Random) -> dict:
    """Fill the database: staff and inboxes through the services, the bulk through `harness.row_writer`.

    Each conversation has a customer message, an answer after up to 8 hours, and in a third of them a
    follow-up answered later; solved ones have a solved time, and a fifth of those a CSAT answer.
    """
    from django.db import connection
    from django.utils import timezone

    from parley.accounts.services import agent_create, team_create
    from parley.channels.services import inbox_create
    from parley.contacts.models import Contact
    from parley.conversations.models import Conversation, Direction, Message, MessageKind, Tag
    from parley.surveys.models import Survey

    agents = [agent_create(email=f"agent{n}@bench.test", name=f"Agent {n}", role="admin" if n == 0 else "agent")
              for n in range(AGENTS)]
    teams = [team_create(name=f"Team {n}", member_ids=[a.pk for a in agents[n::TEAMS]]) for n in range(TEAMS)]
    inboxes = [inbox_create(name="Shop app", kind="api"), inbox_create(name="Contact form", kind="webform"),
               inbox_create(name="Partner API", kind="api")]
    tag_ids = [tag.pk for tag in Tag.objects.bulk_create([Tag(name=f"tag{n}") for n in range(TAGS)])]
    agent_ids, team_ids, inbox_ids = [a.pk for a in agents], [t.pk for t in teams] + [None], [i.pk for i in inboxes]
    write = harness.row_writer(connection)
    now = timezone.now()
    contact_count = max(1, conversations // 2)
    first_contact, first_conversation = harness.next_id(Contact), harness.next_id(Conversation)
    for start in range(0, contact_count, BATCH):
        write(Contact, ("id", "name", "email", "created_at", "updated_at"), [
            (first_contact + n, f"Customer {n}", f"customer{n}@example.test", now, now)
            for n in range(start, min(contact_count, start + BATCH))])
    statuses, weights = list(STATUSES), list(STATUSES.values())
    done, started = 0, time.perf_counter()
    while done < conversations:
        size = min(BATCH, conversations - done)
        rows, messages, tag_rows, surveys = [], [], [], []
        for conversation_id in range(first_conversation + done, first_conversation + done + size):
            created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            answered = created + timedelta(minutes=rng.randint(1, 480))
            thread = [(created, Direction.INBOUND), (answered, Direction.OUTBOUND)]
            if rng.random() < 0.33:
                follow_up = answered + timedelta(minutes=rng.randint(5, 600))
                thread += [(follow_up, Direction.INBOUND), (follow_up + timedelta(minutes=rng.randint(1, 240)), Direction.OUTBOUND)]
            status = rng.choices(statuses, weights)[0]
            solved_at = thread[-1][0] + timedelta(minutes=rng.randint(0, 60)) if status in ("solved", "closed") else None
            assignee_id = None if rng.random() < 0.2 else rng.choice(agent_ids)
            contact_id = first_contact + rng.randrange(contact_count)
            rows.append((
                conversation_id, rng.choice(inbox_ids), contact_id, "Question", status, assignee_id, rng.choice(team_ids),
                created, now, thread[-1][0], thread[-2][0], answered, solved_at, solved_at if status == "closed" else None,
                1 if rng.random() < 0.05 else 0, len(thread) // 2, len(thread) // 2))
            for at, direction in thread:
                inbound = direction == Direction.INBOUND
                messages.append((conversation_id, direction, MessageKind.REPLY, contact_id if inbound else None,
                                 None if inbound else assignee_id, rng.choice(CUSTOMER_TEXTS) if inbound else "Here is the answer.",
                                 at, "received" if inbound else "sent"))
            tag_rows += [(conversation_id, tag_id) for tag_id in rng.sample(tag_ids, rng.randint(0, 2))]
            if solved_at and rng.random() < 0.2:
                surveys.append(("csat", contact_id, conversation_id, assignee_id, "How would you rate the support you received?",
                                "api", solved_at, rng.choice([1, 2, 3, 4, 4, 5, 5, 5]), solved_at + timedelta(hours=rng.randint(1, 48))))
        write(Conversation, ("id", "inbox_id", "contact_id", "subject", "status", "assignee_id", "team_id", "created_at",
                             "updated_at", "last_message_at", "last_inbound_at", "first_response_at", "solved_at", "closed_at",
                             "reopened_count", "inbound_count", "outbound_count"), rows)
        write(Message, ("conversation_id", "direction", "kind", "sender_contact_id", "author_id", "text", "created_at",
                        "delivery_status"), messages)
        write(Conversation.tags.through, ("conversation_id", "tag_id"), tag_rows)
        write(Survey, ("kind", "contact_id", "conversation_id", "agent_id", "question", "channel", "sent_at", "score",
                       "answered_at"), surveys)
        done += size
        rate = done / (time.perf_counter() - started)
        harness.progress(f"seeding: {done:,}/{conversations:,} conversations ({done * 100 // conversations}%), "
                         f"{rate:,.0f}/s, about {(conversations - done) / rate:,.0f} s left")
    harness.progress_done()
    harness.sequences_reset(connection, [Contact, Conversation])
    return {"agent": agents[1], "team": teams[0]}


def scenarios(*, agent, team) -> list[tuple[str, object]]:
    """Return (label, callable) for each timed dashboard query."""
    from django.utils import timezone

    from parley.analytics import selectors
    from parley.analytics.kpis import KPIS, Scope, kpi_values
    from parley.analytics.views import SERVICE_CHARTS

    today = timezone.localdate()

    # A new scope for every run: a scope keeps what it read for the request it serves.
    def month(**filters) -> Scope:
        return Scope(start=today - timedelta(days=29), end=today, **filters)

    def year(**filters) -> Scope:
        return Scope(start=today - timedelta(days=364), end=today, **filters)

    def dashboard(period, **filters):
        def whole():
            scope = period(**filters)
            return (kpi_values(scope), selectors.volume_by_day(scope), selectors.volume_by_channel(scope),
                    selectors.volume_heatmap(scope), selectors.agent_table(scope),
                    [series(scope) for _, series in SERVICE_CHARTS.values()])
        return whole

    return [
        (f"every KPI ({len(KPIS)}) + period before, 30 days", lambda: kpi_values(month())),
        (f"every KPI ({len(KPIS)}) + period before, 365 days", lambda: kpi_values(year())),
        ("every KPI, 30 days, one channel", lambda: kpi_values(month(channel="webform"))),
        ("every KPI, 30 days, one agent", lambda: kpi_values(month(agent_id=agent.pk))),
        ("every KPI, 30 days, one team", lambda: kpi_values(month(team_id=team.pk))),
        ("every KPI, 30 days, one tag", lambda: kpi_values(month(tag="tag3"))),
        ("volume per day + period before, 365 days", lambda: selectors.volume_by_day(year())),
        ("heat map hour x weekday, 365 days", lambda: selectors.volume_heatmap(year())),
        ("agent table, 365 days", lambda: selectors.agent_table(year())),
        ("drill-down: reopened, 30 days, first page", lambda: list(KPIS["reopen_rate"].drill(month())[:50])),
        ("service-level charts, 365 days", lambda: [series(scope) for scope in [year()] for _, series in SERVICE_CHARTS.values()]),
        ("whole dashboard, 30 days", dashboard(month)),
        ("whole dashboard, 365 days", dashboard(year)),
        ("whole dashboard, 365 days, one agent", dashboard(year, agent_id=agent.pk)),
        ("whole dashboard, 365 days, one team", dashboard(year, team_id=team.pk)),
        ("whole dashboard, 365 days, one tag", dashboard(year, tag="tag3")),
        ("live now view", selectors.live_now),
    ]


def _earlier_seed() -> dict:
    """The agent and team an earlier run seeded, to time again on its data."""
    from parley.accounts.models import Team, User

    agent, team = User.objects.filter(email="agent1@bench.test").first(), Team.objects.filter(name="Team 0").first()
    if agent is None or team is None:
        sys.exit("--reuse needs a database this benchmark seeded before.")
    return {"agent": agent, "team": team}


def per_event_costs(*, samples: int, rng: random.Random) -> list[list]:
    """Time what the worker does per event: recompute one conversation's facts, the same after a reassignment (its
    rollup rows change: it leaves its agent's and joins another's), and score one message's sentiment.

    The reassignments stay in the database, to random agents, so the data keeps its shape for the next run.
    """
    from parley.accounts.models import User
    from parley.analytics.services import fact_refresh, message_sentiment_record
    from parley.conversations.models import Conversation, Message

    top = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first()
    conversation_ids = [rng.randint(1, top) for _ in range(samples)]
    agent_ids = list(User.objects.filter(email__endswith="@bench.test").values_list("pk", flat=True))

    def refresh(conversation_id: int) -> float:
        started = time.perf_counter()
        fact_refresh(conversation_id=conversation_id)
        return time.perf_counter() - started

    unchanged = [refresh(conversation_id) for conversation_id in conversation_ids]
    reassigned = []
    for conversation_id in conversation_ids:
        # What conversation_assign writes; its event's refresh is what is timed.
        Conversation.objects.filter(pk=conversation_id).update(assignee_id=rng.choice(agent_ids))
        reassigned.append(refresh(conversation_id))
    message_ids = list(Message.objects.filter(conversation_id__in=conversation_ids, direction="in")
                       .values_list("pk", flat=True)[:samples])
    scoring = []
    for message_id in message_ids:
        started = time.perf_counter()
        message_sentiment_record(message_id=message_id)
        scoring.append(time.perf_counter() - started)
    return [[label, len(t), f"{harness.percentile(t, 50) * 1000:.1f}", f"{harness.percentile(t, 95) * 1000:.1f}"]
            for label, t in (("facts of one conversation and their rollup rows (any conversation or message event)", unchanged),
                             ("the same after a reassignment (rollup rows left and joined)", reassigned),
                             ("sentiment of one customer message, and its facts", scoring))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=200, help="events whose aggregate upkeep is timed")
    parser.add_argument("--reuse", action="store_true",
                        help="time again on a database an earlier run of this benchmark seeded (--database-url)")
    harness.seeded_database_arguments(parser)
    harness.run_in_data_dir(parser.parse_args(), run)


def run(args: argparse.Namespace, data_dir: Path) -> None:
    """Seed, compute the facts, time the upkeep per event and every dashboard query, print the tables."""
    harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
    from django.db import connection

    from parley.analytics.models import ConversationFact
    from parley.analytics.services import facts_rebuild, rollup_rebuild
    from parley.conversations.models import Conversation

    rng = random.Random(args.seed)
    print(f"database: {connection.vendor}" + ("" if args.database_url else " (embedded, in a temporary data dir)"))
    if args.reuse:
        seeded = _earlier_seed()
    elif Conversation.objects.exists():
        sys.exit("The database already holds conversations; point --database-url at an empty database (or --reuse it).")
    else:
        print(f"seeding {args.conversations:,} conversations with "
              f"{'COPY' if connection.vendor == 'postgresql' else 'bulk_create'} (staff and inboxes through the services)")
        seeded = harness.load_then_index(connection, lambda: seed(conversations=args.conversations, rng=rng))
        started = time.perf_counter()
        facts = facts_rebuild(progress=lambda done, total: harness.progress(f"computing facts: {done:,}/{total:,} conversations"))
        harness.progress_done()
        elapsed = time.perf_counter() - started
        print(f"facts of {facts:,} conversations computed in bulk in {elapsed:.1f} s ({facts / elapsed:,.0f} conversations/s)")
    started = time.perf_counter()
    rollup_rows = rollup_rebuild()
    print(f"daily rollup of {ConversationFact.objects.count():,} facts rebuilt into {rollup_rows:,} rows "
          f"in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # The rebuild deleted and wrote every rollup row: autovacuum would clear the dead ones on a running desk.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    upkeep = per_event_costs(samples=args.events, rng=rng)
    rows = []
    for label, query in scenarios(agent=seeded["agent"], team=seeded["team"]):
        harness.progress(f"timing: {label}")
        timings = harness.timed(query, args.runs)
        rows.append([label, f"{harness.percentile(timings, 50) * 1000:.1f}", f"{harness.percentile(timings, 95) * 1000:.1f}"])
    harness.progress_done()
    print(f"\nkeeping the facts current, per event ({args.events} samples)\n")
    harness.print_table(["work per event", "samples", "p50 ms", "p95 ms"], upkeep)
    print(f"\n{Conversation.objects.count():,} conversations, {args.runs} runs each\n")
    harness.print_table(["dashboard query", "p50 ms", "p95 ms"], rows)
    print(f"\npeak RSS: {harness.peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
