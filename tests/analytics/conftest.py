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


@pytest.fixture
def service_levels(workspace, api_inbox, admin, run_due_jobs):
    """The workspace, plus a business calendar, an SLA, chat ratings and calls, worked out by hand in the comments.

    The shop app's routing policy keeps a Berlin office calendar, Monday to Friday 09:00–17:00, closed on
    Monday 12 January; the contact form has no calendar, so every hour of its conversations counts.
    """
    from parley.analytics.services import facts_rebuild
    from parley.channels.base import InboundMessage
    from parley.channels.chat.models import ChatRating
    from parley.channels.chat.services import chat_message_post, chat_rate, chat_session_open
    from parley.channels.services import inbox_create
    from parley.channels.voice.models import Call, CallDirection, CallOutcome
    from parley.conversations.models import Conversation, Status
    from parley.conversations.services import conversation_set_status, message_receive, message_reply
    from parley.routing.models import Holiday
    from parley.routing.services import calendar_save, routing_policy_save
    from parley.sla.services import conversations_sla_refresh, sla_check, sla_policy_save

    office = calendar_save(actor=admin, name="Berlin office", time_zone="Europe/Berlin",
                           hours={day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})
    Holiday.objects.create(calendar=office, date=PERIOD[1].replace(day=12), name="Bridge day")
    routing_policy_save(actor=admin, strategy="manual", inbox=api_inbox, calendar=office)
    sla_policy_save(actor=admin, name="Shop app", inboxes=[api_inbox], calendar=office, first_response_minutes=30)
    conversations_sla_refresh(conversation_ids=list(Conversation.objects.values_list("pk", flat=True)))
    facts_rebuild()

    # C7, Fri 16:30 local, half an hour before closing. Due by the SLA at 17:00 Friday; still unanswered on Tuesday
    # morning, when the checker records the breach. Answered Tue 09:15 local: 30 open minutes on Friday, none on the
    # weekend or the bridge day, 15 on Tuesday = 2700 s. Solved Tue 10:00 local: 30 + 60 open minutes = 5400 s.
    c7 = message_receive(inbox=api_inbox, inbound=InboundMessage(
        external_id="c7-1", identity_kind="external_id", source_id="c7", text="Can I still order today?"),
        received_at=utc(9, 15, 30)).conversation
    drain(run_due_jobs)
    sla_check(now=utc(13, 8, 10))
    message_reply(conversation=c7, author=workspace["ana"], text="Yes, it ships Tuesday.", created_at=utc(13, 8, 15))
    conversation_set_status(conversation=c7, actor=workspace["ana"], status=Status.SOLVED, at=utc(13, 9))
    # C4, Sun 23:30 local, is due Tue 09:30 local (the weekend and the bridge day are closed): not breached at
    # Tuesday 09:10, breached the day after.
    sla_check(now=utc(14, 0))

    # Chat ratings given in the period: 5, 4 and 1 (average 3.3); one a week later is outside it.
    chat = inbox_create(name="Shop chat", kind="chat", config={"allowed_origins": ["https://shop.example"]})
    for n, (score, day) in enumerate(((5, 6), (4, 8), (1, 8), (2, 14))):
        visitor = chat_session_open(inbox=chat, visitor=None)
        message = chat_message_post(visitor=visitor, text="Is my parcel lost?", client_id=f"rating-{n}")
        rating = chat_rate(visitor=visitor, conversation_id=message.conversation_id, score=score)
        # The visitor rated it that day: ratings are dated when given, which is now for a test.
        ChatRating.objects.filter(pk=rating.pk).update(created_at=utc(day, 12))

    # Calls: answered ones talked 300 and 420 s on Tuesday and 600 s on Thursday: AHT 440 s. An abandoned call and
    # one answered a week later do not count. The first one is C2's customer calling about it.
    voice = inbox_create(name="Hotline", kind="voice", config={
        "account_sid": "AC" + "0" * 32, "auth_token": "token", "number": "+4930123456",
        "api_base_url": "http://127.0.0.1:9"})
    for n, (day, outcome, talk) in enumerate(((6, CallOutcome.ANSWERED, 300), (6, CallOutcome.ANSWERED, 420),
                                              (8, CallOutcome.ANSWERED, 600), (8, CallOutcome.ABANDONED, None),
                                              (13, CallOutcome.ANSWERED, 900))):
        Call.objects.create(inbox=voice, call_sid=f"CA{n}", direction=CallDirection.INBOUND, from_number="+4930999",
                            to_number="+4930123456", outcome=outcome, started_at=utc(day, 10), talk_seconds=talk,
                            conversation=workspace["c2"] if n == 0 else None)
    drain(run_due_jobs)
    return {**workspace, "c7": c7}
