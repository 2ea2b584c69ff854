"""How fast triggers are evaluated: events per second against N active rules (default 500).

Seeds a fresh database (a temporary SQLite data dir unless --database-url names an empty
PostgreSQL database): an inbox, customers and conversations through the services, and N
triggers on "message.received" saved through rule_create, each with two to four conditions
(text contains, priority, tags, custom fields, customer attributes, nested any-groups) that
the seeded messages do not meet, so what is timed is evaluation, not actions. Then it times:

- conditions only: every rule's compiled test on facts already in memory, per event;
- the subscriber: automation_handle_event as the worker runs it for each stored event —
  one conversation's facts (four small queries), all N rules; the compiled rules are
  re-checked against the database every two seconds.

Prints a Markdown table for bench/README.md.
"""
import argparse
import random
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from harness import data_dir, django_setup, environment, peak_rss_mb, print_table, progress, progress_done  # noqa: E402

WORDS = ["refund", "invoice", "parcel", "login", "password", "delivery", "broken", "upgrade", "cancel", "coupon"]


def seed(*, conversations: int, rules: int, rng: random.Random):
    from parley.accounts.models import Role
    from parley.accounts.services import agent_create
    from parley.automation.services.rules import rule_create
    from parley.channels.base import InboundMessage
    from parley.channels.services import inbox_create
    from parley.contacts.models import Contact
    from parley.conversations.models import Conversation
    from parley.conversations.services import message_receive

    admin = agent_create(email="bench-admin@example.test", name="Bench Admin", password="bench-pw-1", role=Role.ADMIN)
    inbox = inbox_create(name="Shop", kind="api")
    for n in range(conversations):
        progress(f"conversations {n + 1}/{conversations}")
        message = message_receive(inbox=inbox, inbound=InboundMessage(
            external_id=f"bench-{n}", identity_kind="external_id", source_id=f"customer-{n}", contact_name=f"Customer {n}",
            text=" ".join(rng.choices(WORDS, k=12))))
        Conversation.objects.filter(pk=message.conversation_id).update(custom_fields={"order_total": rng.randint(1, 400)})
        Contact.objects.filter(pk=message.conversation.contact_id).update(custom_attributes={"plan": rng.choice(["free", "pro"])})
    progress_done()
    for n in range(rules):
        progress(f"rules {n + 1}/{rules}")
        conditions = [{"field": "message.text", "op": "contains", "value": f"never-said-{n}"},
                      {"field": "conversation.priority", "op": "in", "value": rng.sample(["low", "normal", "high", "urgent"], 2)}]
        if n % 2:
            conditions.append({"field": "conversation.tags", "op": "contains", "value": f"tag-{n}"})
        if n % 3 == 0:
            conditions.append({"match": "any", "conditions": [
                {"field": "conversation.custom_fields.order_total", "op": "gte", "value": 10_000},
                {"field": "contact.attributes.plan", "op": "is", "value": "enterprise"}]})
        rule_create(name=f"Rule {n}", kind="trigger", actor=admin, definition={
            "events": ["message.received"], "match": "all", "conditions": conditions,
            "actions": [{"type": "add_tags", "tags": [f"rule-{n}"]}]})
    progress_done()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--events", type=int, default=2000, help="events evaluated in each measurement")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    django_setup(environment(data_dir=data_dir(args.data_dir), database_url=args.database_url))

    from django.db import connection

    from parley.automation import engine
    from parley.automation.models import RuleFiring
    from parley.automation.services.rules import automation_handle_event
    from parley.core.models import Event

    from parley.automation.models import Rule

    if Rule.objects.exists():
        sys.exit("The database already has rules: give an empty database (createdb …) so the figures are for exactly these rules.")
    rng = random.Random(9)
    seed(conversations=args.conversations, rules=args.rules, rng=rng)

    started = time.perf_counter()
    ruleset = engine.active_rules()
    compile_ms = (time.perf_counter() - started) * 1000
    rules = ruleset.for_event("message.received")
    stored = list(Event.objects.filter(name="message.received").order_by("pk"))
    facts = [engine.prepare(engine.facts_for(e.payload["conversation_id"], event=e.name, payload=e.payload)) for e in stored]

    matched = 0
    started = time.perf_counter()
    for n in range(args.events):
        event_facts = facts[n % len(facts)]
        matched += sum(1 for rule in rules if rule.matches(event_facts))
    conditions_s = time.perf_counter() - started

    started = time.perf_counter()
    for n in range(args.events):
        event = stored[n % len(stored)]
        automation_handle_event(event.name, {**event.payload, "event_id": event.pk})
        if n % 100 == 0:
            progress(f"subscriber {n}/{args.events}")
    subscriber_s = time.perf_counter() - started
    progress_done()
    fired = RuleFiring.objects.count()

    print(f"\n{len(rules)} triggers on message.received, {len(stored)} conversations, {connection.vendor}; "
          f"compiling them took {compile_ms:.0f} ms; rules matched {matched} times while timing conditions, fired {fired} times")
    print_table(["measure", "events", "events/s", "ms per event"], [
        ["conditions only (facts in memory)", args.events, f"{args.events / conditions_s:.0f}", f"{conditions_s / args.events * 1000:.3f}"],
        ["subscriber (facts from the database + rules)", args.events, f"{args.events / subscriber_s:.0f}",
         f"{subscriber_s / args.events * 1000:.3f}"],
    ])
    print(f"peak RSS: {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
