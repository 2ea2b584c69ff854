"""API test helpers: customer conversations to act on (the JSON client `api_as` is in tests/conftest.py)."""
import pytest

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive


@pytest.fixture
def customer_message(api_inbox):
    """Return a factory: a customer message arriving on the API inbox (a new conversation per source id)."""
    counter = iter(range(1, 10_000))

    def receive(source_id: str = "cust-1", text: str = "My order is late", **kw):
        n = next(counter)
        return message_receive(inbox=api_inbox, inbound=InboundMessage(
            external_id=f"ext-{n}", identity_kind="external_id", source_id=source_id, text=text, **kw))

    return receive
