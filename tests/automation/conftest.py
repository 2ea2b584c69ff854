"""Fixtures for automation tests: customer messages arriving as a channel delivers them, and rules to save."""
import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parley.automation.services.rules import rule_create
from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_rules():
    """Each test's rules are compiled afresh: the process's compiled copy must not outlive the test's database."""
    from parley.automation import engine

    engine.rules_changed()
    yield
    engine.rules_changed()


@pytest.fixture
def receive(db):
    """Deliver a customer message to an inbox through message_receive, as a channel would; return the message."""

    def deliver(inbox, text: str, *, source_id: str = "cust-1", name: str = "Rita Ruiz", subject: str = "", received_at=None,
                **extra):
        return message_receive(inbox=inbox, received_at=received_at, inbound=InboundMessage(
            external_id=f"auto-{next(_ids)}", identity_kind="external_id", source_id=source_id, contact_name=name,
            text=text, subject=subject, **extra))

    return deliver


@pytest.fixture
def trigger(admin):
    """Save an event trigger: `trigger(name, events=[...], conditions=[...], actions=[...], match="all")`."""

    def make(name: str, *, events: list[str], actions: list[dict], conditions: list | None = None, match: str = "all"):
        return rule_create(name=name, kind="trigger", actor=admin,
                           definition={"events": events, "match": match, "conditions": conditions or [], "actions": actions})

    return make


class Receiver:
    """A webhook receiver: answers each request with the next planned reply ("hang" sleeps past the timeout)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                reply = receiver.plan.pop(0) if receiver.plan else 200
                if reply == "hang":
                    time.sleep(1.5)
                    reply = 200
                try:
                    self.send_response(reply)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(f"answer {reply}".encode())
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/parley"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()
