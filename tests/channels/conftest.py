"""The Pigeon example channel, registered for one test at a time so other tests see only the real channels."""
import pytest

from pigeon import SECRET, VERIFY_TOKEN

from parley.channels import registry


@pytest.fixture
def pigeon_adapter(monkeypatch):
    from pigeon import PigeonAdapter

    adapter = PigeonAdapter()
    monkeypatch.setitem(registry._adapters, PigeonAdapter.kind, adapter)
    return adapter


@pytest.fixture
def pigeon_inbox(db, pigeon_adapter):
    from parley.channels.services import inbox_create

    return inbox_create(name="Pigeon loft", kind="pigeon",
                        config={"secret": SECRET, "verify_token": VERIFY_TOKEN, "account": "AC-1"})


@pytest.fixture
def published(monkeypatch):
    """Record every event services publish (name, payload), still publishing it."""
    from parley.core import events

    seen = []
    original = events.publish

    def record(name, payload):
        seen.append((name, payload))
        original(name, payload)

    monkeypatch.setattr(events, "publish", record)
    return seen
