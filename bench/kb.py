"""Benchmark the help center: retrieval accuracy on the question set, search and bot latency, memory with the model.

    python bench/kb.py                                         # SQLite, 100 and 50 000 articles
    python bench/kb.py --sizes 100,2000 --runs 1
    python bench/kb.py --database-url postgres://postgres@127.0.0.1:5432/parley_kb   # an empty database

Imports tests/knowledge/help_center_set.json (34 articles, 135 English and 3 German questions with
the article that answers each) and measures top-1 / top-3 accuracy of full-text, semantic and
hybrid search. Then it fills the help center with generated articles up to each --sizes count
and times every question as a search (p50/p95), and the bot answering questions that arrive on
an API inbox. Prints the process's memory before and after the embedding model loads. Asserts nothing.
"""
import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
import harness  # noqa: E402

QUESTION_SET = harness.ROOT / "tests" / "knowledge" / "help_center_set.json"
#: Real support words among the generated articles' made-up ones.
SUPPORT_WORDS = ["order", "refund", "invoice", "delivery", "password", "account", "payment", "shipping", "broken",
                 "cancel", "subscription", "login", "error", "upgrade", "discount", "address", "tracking", "printer",
                 "warranty", "battery", "settings", "email", "app", "device", "update", "customer", "store", "card"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "da", "zu", "ri", "on", "el", "ba", "gu", "fe", "ty"]
BATCH = 500


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def accuracy(questions: list[dict], articles: dict, *, locale: str) -> list[list]:
    from parley.knowledge.search import search_articles

    rows = []
    for mode in ("fulltext", "semantic", "hybrid"):
        top1 = top3 = 0
        for item in questions:
            ids = [h.translation.article_id for h in search_articles(item["q"], locale=locale, limit=3, mode=mode)]
            expected = articles[item["key"]].pk
            top1 += bool(ids) and ids[0] == expected
            top3 += expected in ids
        rows.append([f"{mode} ({locale})", len(questions), f"{100 * top1 / len(questions):.1f}%", f"{100 * top3 / len(questions):.1f}%"])
    return rows


def fill(target: int, rng: random.Random) -> None:
    """Add generated, published articles (through bulk writes, then the index) until there are `target`."""
    from django.db import connection, transaction
    from django.utils import timezone

    from parley.knowledge import services
    from parley.knowledge.models import Article, ArticleTranslation, Category, Section
    from parley.knowledge.rendering import plain_text, render_markdown

    # Articles are about different things: support words are spread over the ranks (every 40th from the 20th)
    # rather than all at the top, so "order" is in about a third of the articles, not in every one.
    words, support = [], iter(SUPPORT_WORDS)
    while len(words) < 3000:
        rank = len(words)
        word = next(support, None) if rank >= 20 and rank % 40 == 20 else None
        words.append(word or "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    category = Category.objects.get_or_create(slug="generated", defaults={"name": "Generated"})[0]
    section = Section.objects.get_or_create(category=category, slug="generated", defaults={"name": "Generated"})[0]
    have = Article.objects.count()
    now = timezone.now()
    while have < target:
        count = min(BATCH, target - have)
        with transaction.atomic():
            articles = Article.objects.bulk_create([Article(section=section, slug=f"generated-{have + n}", status="published",
                                                            created_at=now, updated_at=now) for n in range(count)])
            translations = []
            for article in articles:
                title = " ".join(rng.choices(words, weights, k=5)).capitalize()
                body = ". ".join(" ".join(rng.choices(words, weights, k=12)).capitalize() for _ in range(6)) + "."
                html = render_markdown(body)
                translations.append(ArticleTranslation(article=article, locale="en", title=title, body=body, html=html,
                                                       plain=plain_text(html), updated_at=now))
            created = ArticleTranslation.objects.bulk_create(translations)
            for translation, article in zip(created, articles):
                translation.article = article
            services._reindex(created)
        have += count
        harness.progress(f"generating articles: {have:,}/{target:,}")
    harness.progress_done()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_searches(questions: list[dict], runs: int) -> dict[str, list[float]]:
    from parley.knowledge.search import search_articles

    timings = {mode: [] for mode in ("fulltext", "semantic", "hybrid")}
    for mode in timings:
        search_articles(questions[0]["q"], locale="en", mode=mode)  # warm-up: vectors loaded, statements prepared
        for _ in range(runs):
            for item in questions:
                started = time.perf_counter()
                search_articles(item["q"], locale="en", mode=mode)
                timings[mode].append((time.perf_counter() - started) * 1000)
    return timings


def time_bot(questions: list[dict]) -> list[float]:
    """Time the bot's whole turn (search, decide, write its reply) for each question arriving on an API inbox."""
    from parley.bot.services import bot_handle_message, bot_settings_update
    from parley.channels.base import InboundMessage
    from parley.channels.services import inbox_create
    from parley.conversations.services import message_receive
    from parley.core import actors

    inbox = inbox_create(name=f"Bot bench {time.time_ns()}", kind="api")
    bot_settings_update(inbox=inbox, actor=actors.SYSTEM, enabled=True, threshold=0.3, handover_phrases="agent, human",
                        max_unhelpful=2, locale="en")
    timings = []
    for n, item in enumerate(questions):
        message = message_receive(inbox=inbox, inbound=InboundMessage(
            external_id=f"bench-{inbox.pk}-{n}", source_id=f"customer-{inbox.pk}-{n}", identity_kind="external_id",
            contact_name=f"Customer {n}", text=item["q"]))
        started = time.perf_counter()
        bot_handle_message(message_id=message.pk)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,50000", help="article counts to time searches at, comma separated")
    parser.add_argument("--runs", type=int, default=2, help="timed passes over the question set per size and mode")
    parser.add_argument("--database-url", default="", help="an empty database to fill (default: SQLite in a temp dir)")
    parser.add_argument("--data-dir", help="where the embedded database goes (default: a new temp dir, removed afterwards)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = harness.data_dir(args.data_dir)
    try:
        run(args)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    data_dir = harness.data_dir(args.data_dir)
    harness.django_setup(harness.environment(data_dir=data_dir, database_url=args.database_url))
    from django.db import connection

    from parley.core import actors
    from parley.knowledge.models import Article
    from parley.knowledge.search import embeddings
    from parley.knowledge.services import help_center_import

    if Article.objects.exists():
        sys.exit("the database already has articles: give an empty one")
    before = rss_mb()
    started = time.perf_counter()
    loaded = embeddings.model() is not None
    load_ms = (time.perf_counter() - started) * 1000
    after = rss_mb()
    print(f"database: {connection.vendor}; embedding model: {'loaded' if loaded else 'MISSING (full text only)'} "
          f"in {load_ms:.0f} ms; RSS {before:.0f} MiB before, {after:.0f} MiB after loading it")
    question_set = json.loads(QUESTION_SET.read_text())
    articles = help_center_import(data=question_set, actor=actors.SYSTEM)
    print(f"\nretrieval on the question set ({len(question_set['articles'])} articles):\n")
    harness.print_table(["mode", "questions", "top-1", "top-3"],
                        accuracy(question_set["questions"], articles, locale="en")
                        + accuracy(question_set["questions_de"], articles, locale="de"))
    rng = random.Random(args.seed)
    rows, bot_rows = [], []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        fill(size, rng)
        for mode, timings in time_searches(question_set["questions"], args.runs).items():
            rows.append([f"{size:,}", mode, len(timings), f"{harness.percentile(timings, 50):.1f}", f"{harness.percentile(timings, 95):.1f}"])
        bot = time_bot(question_set["questions"])
        bot_rows.append([f"{size:,}", len(bot), f"{harness.percentile(bot, 50):.1f}", f"{harness.percentile(bot, 95):.1f}"])
        top3 = accuracy(question_set["questions"], articles, locale="en")[2][3]
        rows.append([f"{size:,}", "hybrid top-3 with the generated articles", "", top3, ""])
    print("\nsearch latency (ms):\n")
    harness.print_table(["articles", "mode", "searches", "p50", "p95"], rows)
    print("\nbot answer latency (ms; search, decision and its reply written, no language model):\n")
    harness.print_table(["articles", "turns", "p50", "p95"], bot_rows)
    print(f"\nRSS now {rss_mb():.0f} MiB; peak RSS: {harness.peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
