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
    """Fill the database: staff and inboxes through the services, conversations and messages with bulk_create.

    Each conversation has a customer message, an answer after up to 8 hours, and in a third of them a
    follow-up answered later; solved ones have a solved time, and a fifth of those a CSAT answer.
    """
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
    tags = Tag.objects.bulk_create([Tag(name=f"tag{n}") for n in range(TAGS)])
    contact_count = max(1, conversations // 2)
    contacts = []
    for start in range(0, contact_count, BATCH):
        contacts += Contact.objects.bulk_create([Contact(name=f"Customer {n}", email=f"customer{n}@example.test")
                                                 for n in range(start, min(contact_count, start + BATCH))])
    now = timezone.now()
    statuses, weights = list(STATUSES), list(STATUSES.values())
    tag_through = Conversation.tags.through
    done = 0
    while done < conversations:
        size = min(BATCH, conversations - done)
        rows, threads = [], []
        for _ in range(size):
            created = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            answered = created + timedelta(minutes=rng.randint(1, 480))
            thread = [(created, Direction.INBOUND), (answered, Direction.OUTBOUND)]
            if rng.random() < 0.33:
                follow_up = answered + timedelta(minutes=rng.randint(5, 600))
                thread += [(follow_up, Direction.INBOUND), (follow_up + timedelta(minutes=rng.randint(1, 240)), Direction.OUTBOUND)]
            status = rng.choices(statuses, weights)[0]
            solved_at = thread[-1][0] + timedelta(minutes=rng.randint(0, 60)) if status in ("solved", "closed") else None
            assignee = None if rng.random() < 0.2 else rng.choice(agents)
            rows.append(Conversation(
                inbox=rng.choice(inboxes), contact=rng.choice(contacts), subject="Question", status=status,
                assignee=assignee, team=rng.choice(teams + [None]), created_at=created, last_message_at=thread[-1][0],
                last_inbound_at=thread[-2][0], first_response_at=answered, solved_at=solved_at,
                closed_at=solved_at if status == "closed" else None, reopened_count=1 if rng.random() < 0.05 else 0,
                inbound_count=len(thread) // 2, outbound_count=len(thread) // 2))
            threads.append(thread)
        Conversation.objects.bulk_create(rows)
        messages, tag_rows, surveys = [], [], []
        for conversation, thread in zip(rows, threads):
            for at, direction in thread:
                inbound = direction == Direction.INBOUND
                messages.append(Message(
                    conversation=conversation, direction=direction, kind=MessageKind.REPLY,
                    sender_contact=conversation.contact if inbound else None, author=None if inbound else conversation.assignee,
                    text=rng.choice(CUSTOMER_TEXTS) if inbound else "Here is the answer.", created_at=at,
                    delivery_status="received" if inbound else "sent"))
            tag_rows += [tag_through(conversation_id=conversation.pk, tag_id=tag.pk) for tag in rng.sample(tags, rng.randint(0, 2))]
            if conversation.solved_at and rng.random() < 0.2:
                surveys.append(Survey(kind="csat", contact=conversation.contact, conversation=conversation,
                                      agent=conversation.assignee, question="How would you rate the support you received?",
                                      channel="api", sent_at=conversation.solved_at, score=rng.choice([1, 2, 3, 4, 4, 5, 5, 5]),
                                      answered_at=conversation.solved_at + timedelta(hours=rng.randint(1, 48))))
        Message.objects.bulk_create(messages, batch_size=BATCH)
        tag_through.objects.bulk_create(tag_rows)
        Survey.objects.bulk_create(surveys)
        done += size
        harness.progress(f"seeding: {done:,}/{conversations:,} conversations")
    harness.progress_done()
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
    """Time what the worker does per event: recompute one conversation's facts, score one message's sentiment."""
    from parley.analytics.services import fact_refresh, message_sentiment_record
    from parley.conversations.models import Conversation, Message

    top = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first()
    conversation_ids = [rng.randint(1, top) for _ in range(samples)]
    refresh = []
    for conversation_id in conversation_ids:
        started = time.perf_counter()
        fact_refresh(conversation_id=conversation_id)
        refresh.append(time.perf_counter() - started)
    message_ids = list(Message.objects.filter(conversation_id__in=conversation_ids, direction="in").values_list("pk", flat=True)[:samples])
    scoring = []
    for message_id in message_ids:
        started = time.perf_counter()
        message_sentiment_record(message_id=message_id)
        scoring.append(time.perf_counter() - started)
    return [[label, len(t), f"{harness.percentile(t, 50) * 1000:.1f}", f"{harness.percentile(t, 95) * 1000:.1f}"]
            for label, t in (("facts of one conversation and their rollup row (any conversation or message event)", refresh),
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
        started = time.perf_counter()
        seeded = seed(conversations=args.conversations, rng=rng)
        print(f"seeded {args.conversations:,} conversations in {time.perf_counter() - started:.1f} s")
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
        cursor.execute("ANALYZE")

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
