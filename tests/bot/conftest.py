import itertools

import pytest

from parley.core import actors


@pytest.fixture
def bot_inbox(api_inbox, help_center):
    from parley.bot.services import bot_settings_update

    bot_settings_update(inbox=api_inbox, actor=actors.SYSTEM, enabled=True, threshold=0.3,
                        handover_phrases="agent, human, person, mitarbeiter, humain", max_unhelpful=2, locale="en")
    return api_inbox


@pytest.fixture
def customer_says(on_commit):
    """Return say(inbox, text, customer="c1"): a customer message arrives and every job it starts (the bot) runs."""
    from parley.channels.base import InboundMessage
    from parley.conversations.services import message_receive

    counter = itertools.count(1)

    def say(inbox, text: str, customer: str = "c1"):
        with on_commit():
            return message_receive(inbox=inbox, inbound=InboundMessage(
                external_id=f"m{next(counter)}", identity_kind="external_id", source_id=customer,
                contact_name="Rita Ruiz", text=text, conversation_id=None))

    return say
