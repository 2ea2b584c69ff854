"""Bulk actions: how long an agent waits for "set priority", "assign" and their undo on many conversations.

Seeds a fresh database (a temporary SQLite data dir unless --database-url names an empty one) with
one agent and --conversations customer messages through the API channel's services, then times
each bulk action through the same services the workspace calls (start, then the job's run), and
prints conversations per second. Nothing is asserted.
"""
import argparse
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# Python puts this folder first on sys.path, where bench/email.py would hide the stdlib email package; move it last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]
from harness import data_dir, django_setup, environment, print_table, progress, progress_done  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    django_setup(environment(data_dir=data_dir(args.data_dir), database_url=args.database_url))

    from parley.accounts.services import agent_create
    from parley.channels.base import InboundMessage
    from parley.channels.services import inbox_create
    from parley.conversations.models import Conversation
    from parley.conversations.services import message_receive
    from parley.desk.models import BulkAction
    from parley.desk.services import bulk_action_run, bulk_action_start, bulk_action_undo

    if Conversation.objects.exists():
        raise SystemExit("the database is not empty; give an empty one")
    agent = agent_create(email="bench@example.test", name="Bench Agent", role="admin")
    inbox = inbox_create(name="Bench app", kind="api")
    for n in range(args.conversations):
        message_receive(inbox=inbox, inbound=InboundMessage(external_id=f"m-{n}", identity_kind="external_id",
                                                            source_id=f"c-{n}", text=f"Message {n}"))
        if n % 50 == 0:
            progress(f"seeding {n}/{args.conversations} conversations")
    progress_done()
    ids = list(Conversation.objects.values_list("pk", flat=True))

    rows = []

    def timed(label: str, start) -> BulkAction:
        """Start a bulk action and run its job; add a row with how long that took."""
        began = time.perf_counter()
        bulk = start()
        bulk_action_run(bulk_id=bulk.pk)
        seconds = time.perf_counter() - began
        bulk = BulkAction.objects.get(pk=bulk.pk)
        rows.append([label, bulk.total, bulk.total - len(bulk.failures), f"{seconds:.2f}", f"{bulk.total / seconds:.0f}"])
        return bulk

    priority = timed("set priority", lambda: bulk_action_start(agent=agent, action="priority", value="urgent", conversation_ids=ids))
    timed("undo set priority", lambda: bulk_action_undo(bulk=priority, agent=agent))
    timed("assign", lambda: bulk_action_start(agent=agent, action="assign", value=agent.pk, conversation_ids=ids))
    timed("add tags", lambda: bulk_action_start(agent=agent, action="tags", value=["bench"], conversation_ids=ids))
    print_table(["bulk action", "conversations", "changed", "seconds", "conversations/s"], rows)


if __name__ == "__main__":
    main()
