"""A small workspace with a hand-computed set of KPIs, in Berlin time (UTC+1 in January)."""
from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.test import override_settings

from parley.accounts.models import Role
from parley.channels.base import InboundMessage
from parley.conversations.models import Status
from parley.conversations.services import conversation_assign, conversation_set_status, message_receive, message_reply

PERIOD = (date(2026, 1, 5), date(2026, 1, 11))


def utc(day: int, hour: int, minute: int = 0, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=dt_timezone.utc)


@pytest.fixture
def berlin():
    with override_settings(TIME_ZONE="Europe/Berlin"):
        yield


def drain(run_due_jobs) -> None:
    """Run jobs until none are left: durable subscribers queue more work (deliveries, fact refreshes)."""
    while run_due_jobs():
        pass


@pytest.fixture
def workspace(berlin, api_inbox, webform_inbox, make_agent, admin, run_due_jobs):
    """Six conversations whose KPIs are worked out by hand in the comments."""
    ana, ben = make_agent(Role.AGENT, name="Ana Agent"), make_agent(Role.AGENT, name="Ben Agent")
    seq = iter(range(1, 100))

    def receive(inbox, who: str, at: datetime, text: str = "Hello", conversation_id=None):
        if inbox.kind == "webform":
            inbound = InboundMessage(external_id=f"m{next(seq)}", identity_kind="email", source_id=f"{who}@example.test",
                                     contact_email=f"{who}@example.test", text=text, conversation_id=conversation_id)
        else:
            inbound = InboundMessage(external_id=f"m{next(seq)}", identity_kind="external_id", source_id=who, text=text,
                                     conversation_id=conversation_id)
        return message_receive(inbox=inbox, inbound=inbound, received_at=at).conversation

    # C1, Mon 09:00 local: answered after 30 min and solved with that one answer. FRT 1800, resolution 1800, FCR.
    c1 = receive(api_inbox, "c1", utc(5, 8))
    conversation_assign(conversation=c1, actor=admin, assignee=ana, at=utc(5, 8, 5))
    message_reply(conversation=c1, author=ana, text="Here you go", status=Status.SOLVED, created_at=utc(5, 8, 30))
    # C2, Mon 23:30 UTC = Tue 00:30 local: a Tuesday in Berlin. FRT 3600; the follow-ups at 01:00 and 01:10 wait
    # until 01:40: next response 2400. Solved at 02:00 after two answers: resolution 9000, not FCR.
    c2 = receive(api_inbox, "c2", utc(5, 23, 30))
    conversation_assign(conversation=c2, actor=admin, assignee=ben, at=utc(5, 23, 31))
    message_reply(conversation=c2, author=ben, text="Looking", created_at=utc(6, 0, 30))
    receive(api_inbox, "c2", utc(6, 1), conversation_id=c2.pk)
    receive(api_inbox, "c2", utc(6, 1, 10), conversation_id=c2.pk)
    message_reply(conversation=c2, author=ben, text="Fixed", created_at=utc(6, 1, 40))
    conversation_set_status(conversation=c2, actor=ben, status=Status.SOLVED, at=utc(6, 2))
    # C3, web form, Wed 11:00 local: answered and solved after 2 h (FRT 7200), then the customer writes again: reopened,
    # open now (backlog), and no next response yet.
    c3 = receive(webform_inbox, "c3", utc(7, 10))
    conversation_assign(conversation=c3, actor=admin, assignee=ana, at=utc(7, 10, 1))
    message_reply(conversation=c3, author=ana, text="Done", status=Status.SOLVED, created_at=utc(7, 12))
    receive(webform_inbox, "c3", utc(8, 9), text="Still broken", conversation_id=c3.pk)
    # C4, Sun 22:30 UTC = Sun 23:30 local: in the period, never answered (backlog).
    receive(api_inbox, "c4", utc(11, 22, 30))
    # C5, Sun 23:30 UTC = Mon 00:30 local: after the period in Berlin though its UTC date is inside; backlog.
    receive(api_inbox, "c5", utc(11, 23, 30))
    # C6, in the week before: answered after 10 min and solved. The previous period: volume 1, FRT 600.
    c6 = receive(api_inbox, "c6", utc(2, 10))
    conversation_assign(conversation=c6, actor=admin, assignee=ana, at=utc(2, 10, 1))
    message_reply(conversation=c6, author=ana, text="Sure", status=Status.SOLVED, created_at=utc(2, 10, 10))
    drain(run_due_jobs)
    return {"ana": ana, "ben": ben, "c1": c1, "c2": c2, "c3": c3}
