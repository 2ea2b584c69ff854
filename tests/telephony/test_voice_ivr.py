"""A scripted caller walks the IVR: each step is the signed webhook Twilio would send, each answer the TwiML it gets."""
import re
from xml.etree import ElementTree

import pytest
from twilio_wire import CUSTOMER, acme_flow, call_params

from parley.channels.models import InboundEnvelope
from parley.channels.voice.models import Call, CallbackRequest, CallOutcome, IvrFlow
from parley.channels.voice.selectors import call_stats, callback_queue
from parley.channels.voice.services import ivr_flow_save
from parley.contacts.models import Contact
from parley.conversations.models import Conversation, ConversationType


@pytest.fixture
def flow(voice_inbox, sales, admin):
    return ivr_flow_save(inbox=voice_inbox, start="welcome", nodes=acme_flow(sales.pk), actor=admin)


class Caller:
    """Follows the TwiML it is given the way Twilio does: posts to the action or redirect URL it names."""

    def __init__(self, client, twilio_post, inbox, sid="CA" + "a" * 32):
        self.client, self.post, self.inbox, self.sid = client, twilio_post, inbox, sid
        self.heard: list[str] = []
        self.last = None

    def step(self, path: str, **params) -> ElementTree.Element:
        path = path.split("://", 1)[-1].partition("/")[2] if "://" in path else path.lstrip("/")
        response = self.post(self.client, "/" + path, call_params(self.sid, **params))
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/xml"
        self.last = ElementTree.fromstring(response.content)
        self.heard += [say.text for say in self.last.iter("Say")]
        return self.last

    def dial_in(self):
        return self.step(f"channels/voice/{self.inbox.key}/calls/")

    def action(self, tag: str) -> str:
        return self.last.find(f".//{tag}").get("action")

    def press(self, digits: str):
        return self.step(self.action("Gather"), Digits=digits)

    def say(self, words: str):
        return self.step(self.action("Gather"), SpeechResult=words, Confidence="0.9")

    def url(self, path: str) -> str:
        return f"channels/voice/{self.inbox.key}/{path}"


@pytest.fixture
def caller(client, twilio_post, voice_inbox, flow):
    return Caller(client, twilio_post, voice_inbox)


def test_a_call_is_greeted_with_the_menu_and_logged_once_however_often_the_webhook_comes(caller):
    twiml = caller.dial_in()
    caller.dial_in()

    assert twiml.find("Play").text == "https://example.com/acme-jingle.mp3"
    gather = twiml.find("Gather")
    assert gather.get("input") == "dtmf speech" and gather.get("hints") == "order, sales, español, call back"
    assert caller.heard[0].startswith("Welcome to Acme.")
    call = Call.objects.get()
    assert (call.direction, call.from_number, call.outcome) == ("inbound", CUSTOMER, "in_progress")

    caller.step(caller.url("calls/status/"), CallStatus="completed", CallDuration="12")  # hung up in the menu
    call.refresh_from_db()
    assert call.outcome == CallOutcome.ENDED_IN_MENU and call.contact.phone == CUSTOMER


def test_pressing_1_reads_the_order_status_from_the_callers_data(caller, voice_inbox):
    from parley.contacts.services import contact_resolve_identity

    contact = contact_resolve_identity(inbox=voice_inbox, kind="phone", source_id=CUSTOMER)
    Contact.objects.filter(pk=contact.pk).update(custom_attributes={"order_status": "shipped on Monday"})

    caller.dial_in()
    twiml = caller.press("1")

    assert caller.heard[-2:] == ["The status of your order is: shipped on Monday.", "Thank you for calling. Goodbye."]
    assert twiml.find("Hangup") is not None
    assert Call.objects.get().ivr_path == ["welcome", "jingle", "main=1", "order", "bye"]


def test_an_unknown_caller_hears_that_no_order_was_found(caller):
    caller.dial_in()
    caller.say("where is my order")

    assert "We could not find an order for this number." in caller.heard


def test_saying_sales_rings_the_available_agents_and_the_answer_is_logged_with_talk_time(caller, sales, voice_inbox):
    caller.dial_in()
    twiml = caller.say("sales please")

    number = twiml.find("Dial/Number")
    assert number.text == "+14155550142" and "calls/answered/?agent=" in number.get("url")
    assert twiml.find("Dial").get("callerId") == CUSTOMER
    dial_action = caller.action("Dial")

    caller.step(number.get("url"), ParentCallSid=caller.sid)  # Ana picks up: the whisper
    assert caller.heard[-1] == f"Call from {CUSTOMER} to Hotline."
    caller.step(dial_action, DialCallStatus="completed", DialCallDuration="95")
    caller.step(caller.url("calls/status/"), CallStatus="completed", CallDuration="120")

    call = Call.objects.get()
    assert call.outcome == CallOutcome.ANSWERED and call.agent.name == "Ana Agent" and call.team == sales
    assert call.talk_seconds is not None and call.wait_seconds is not None and call.ended_at is not None
    assert call_stats()["answered"] == 1 and call_stats()["average_handle_seconds"] == call.talk_seconds


def test_nobody_available_queues_the_caller_with_position_wait_and_music_then_overflows_to_voicemail(caller, sales, voice_inbox):
    sales.members.update(availability="offline")
    caller.dial_in()
    twiml = caller.press("2")

    enqueue = twiml.find("Enqueue")
    assert enqueue.text == f"team-{sales.pk}"
    wait = caller.step(enqueue.get("waitUrl"), QueuePosition="2", QueueTime="30", AvgQueueTime="90")
    assert caller.heard[-1] == "You are caller number 2 in the queue. The estimated wait is about 3 minutes."
    assert wait.find("Play").text == "https://example.com/hold.mp3"

    assert caller.step(enqueue.get("waitUrl"), QueuePosition="1", QueueTime="181").find("Leave") is not None
    record = caller.step(enqueue.get("action"), QueueResult="leave", QueueTime="181").find("Record")
    assert record.get("transcribe") == "true"

    recording = "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1"
    caller.step(record.get("action"), RecordingSid="RE" + "1" * 32, RecordingUrl=recording, RecordingDuration="42")
    caller.step(record.get("transcribeCallback"), RecordingSid="RE" + "1" * 32, TranscriptionSid="TR" + "1" * 32,
                TranscriptionStatus="completed", TranscriptionText="Hi, I would like to order ten more chairs.")

    conversation = Conversation.objects.get(inbox=voice_inbox)
    texts = [m.text for m in conversation.messages.all()]
    assert texts == [f"Voicemail (0:42): {recording}",
                     "Transcription of the voicemail: Hi, I would like to order ten more chairs."]
    assert conversation.messages.first().metadata["voicemail"]["duration_seconds"] == 42
    call = Call.objects.get()
    assert (call.outcome, call.recording_url) == (CallOutcome.VOICEMAIL, recording)


def test_a_caller_hanging_up_in_the_queue_abandoned_it(caller, sales):
    sales.members.update(availability="offline")
    caller.dial_in()
    caller.press("2")
    caller.step(caller.url("calls/status/"), CallStatus="completed", CallDuration="75")

    call = Call.objects.get()
    assert call.outcome == CallOutcome.ABANDONED and call.wait_seconds is not None
    assert call_stats()["abandonment_rate"] == 1.0


def test_a_call_back_request_opens_a_task_with_the_number_and_preferred_time(caller, voice_inbox):
    caller.dial_in()
    caller.press("4")
    caller.step(caller.action("Gather"), SpeechResult="tomorrow after 10")
    caller.step(caller.url("calls/callback/"), SpeechResult="tomorrow after 10")  # a redelivery

    request = CallbackRequest.objects.get()
    assert (request.number, request.preferred_time) == (CUSTOMER, "tomorrow after 10")
    assert request.conversation.type == ConversationType.TASK
    assert request.conversation.messages.get().text == f"Please call me back on {CUSTOMER}. Preferred time: tomorrow after 10."
    assert list(callback_queue()) == [request]
    assert caller.heard[-1].startswith("Thank you. We will call you back on this number, tomorrow after 10.")
    assert Call.objects.get().outcome == CallOutcome.CALLBACK


def test_choosing_spanish_speaks_spanish_from_then_on(caller):
    caller.dial_in()
    twiml = caller.press("3")

    assert twiml.find("Gather/Say").get("language") == "es-ES"
    assert caller.press("1").find("Say").get("language") == "es-ES"
    assert Call.objects.get().language == "es-ES"


def test_outside_business_hours_the_caller_is_asked_for_a_message(caller, voice_inbox):
    from parley.channels.services import inbox_update

    inbox_update(inbox=voice_inbox, actor=None, config={"open_days": []})
    twiml = caller.dial_in()

    assert caller.heard[0] == "We are closed. Please leave a message after the tone."
    assert twiml.find("Record") is not None


def test_a_wrong_key_is_explained_and_after_three_tries_the_caller_may_leave_a_message(caller):
    caller.dial_in()
    caller.press("9")
    assert caller.heard[-2] == "Sorry, that is not one of the choices."
    caller.press("9")
    twiml = caller.press("9")

    assert twiml.find("Record") is not None and Call.objects.get().ivr_path == ["welcome", "jingle", "main"]


def test_a_forged_call_is_refused_with_403_and_an_unknown_number_hears_it_is_not_in_service(client, twilio_post, voice_inbox, flow):
    forged = twilio_post(client, f"/channels/voice/{voice_inbox.key}/calls/", call_params(), token="guess")
    unknown = twilio_post(client, f"/channels/voice/{voice_inbox.key}/calls/", call_params(to="+14155550000"))

    assert forged.status_code == 403
    assert unknown.status_code == 404 and unknown["Content-Type"] == "text/xml"
    assert re.search(r"<Say>The number you called is not in service.</Say><Hangup />", unknown.content.decode())
    assert not Call.objects.exists() and not InboundEnvelope.objects.exists()


def test_an_agent_takes_the_next_waiting_caller_from_the_calls_screen(caller, sales, client, fake_twilio, settings):
    sales.members.update(availability="offline")
    caller.dial_in()
    caller.press("2")
    ana = sales.members.get()
    client.force_login(ana)

    page = client.get("/telephony/calls/").content.decode()
    assert "Sales: 1 caller, the longest for" in page
    client.post(f"/telephony/queues/{sales.pk}/take/")

    [placed] = fake_twilio.created("Calls")
    assert placed["To"] == "+14155550142"
    dequeue = caller.step(placed["Url"], CallSid="CA" + "b" * 32, To="+14155550142")  # Ana's leg asks what to do
    queue = dequeue.find("Dial/Queue")
    assert queue.text == f"team-{sales.pk}"
    caller.step(queue.get("url"), QueueSid="QU1", DequeueingCallSid="CA" + "b" * 32)  # the caller is bridged
    call = Call.objects.get()
    assert call.outcome == CallOutcome.ANSWERED and call.agent == ana


def test_a_menu_that_cannot_be_walked_is_refused_naming_each_problem(voice_inbox, admin):
    from parley.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        ivr_flow_save(inbox=voice_inbox, start="hello", actor=admin, nodes=[
            {"id": "hello", "type": "play", "url": "ftp://example.com/x.mp3", "next": "menu"},
            {"id": "menu", "type": "menu", "text": "Press 1.", "options": [{"key": "1", "words": "", "next": "gone"}]},
            {"id": "q", "type": "queue", "team": None},
            {"id": "odd", "type": "dance"},
        ])

    assert refused.value.status == 422
    assert refused.value.extra == {"hello": "a recording needs an http(s) URL", "menu": "leads to 'gone', which is no node",
                                   "q": "choose the team", "odd": "unknown type 'dance'"}
    assert not IvrFlow.objects.exists()


def test_the_business_calendar_of_the_inboxs_routing_decides_the_hours_branch_holidays_included(caller, voice_inbox, admin):
    from datetime import date

    from parley.routing.services import calendar_save, holiday_add, routing_policy_save

    every_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    calendar = calendar_save(actor=admin, name="Hotline hours", time_zone="Europe/Berlin", hours=every_day)
    routing_policy_save(actor=admin, strategy="manual", inbox=voice_inbox, calendar=calendar)
    caller.dial_in()
    assert caller.heard[0] != "We are closed. Please leave a message after the tone."

    holiday_add(calendar=calendar, actor=admin, day=date.today(), name="Closed today")
    holiday_add(calendar=calendar, actor=admin, day=date.fromordinal(date.today().toordinal() + 1), name="And tomorrow")
    closed = Caller(caller.client, caller.post, voice_inbox, sid="CA" + "c" * 32)
    twiml = closed.dial_in()

    assert closed.heard[0] == "We are closed. Please leave a message after the tone."
    assert twiml.find("Record") is not None


def test_a_queued_caller_is_offered_to_an_agent_of_the_team_who_comes_online(caller, sales, fake_twilio, make_agent, on_commit):
    from parley.accounts.services import agent_set_availability
    from parley.channels.voice.services import agent_line_set

    sales.members.update(availability="offline")
    caller.dial_in()
    caller.press("2")
    ana = sales.members.get()
    outsider = make_agent(name="Olga Outsider")
    agent_line_set(user=outsider, phone="+1 415 555 0199", sip="")

    with on_commit():
        agent_set_availability(user=outsider, availability="online")  # not in Sales: not offered
    assert fake_twilio.created("Calls") == []
    with on_commit():
        agent_set_availability(user=ana, availability="online")

    [placed] = fake_twilio.created("Calls")
    assert placed["To"] == "+14155550142"
    dequeue = caller.step(placed["Url"], CallSid="CA" + "d" * 32, To="+14155550142")  # Ana picks up
    queue = dequeue.find("Dial/Queue")
    assert queue.text == f"team-{sales.pk}"
    caller.step(queue.get("url"), QueueSid="QU1", DequeueingCallSid="CA" + "d" * 32)
    call = Call.objects.get()
    assert call.outcome == CallOutcome.ANSWERED and call.agent == ana


def test_an_agent_who_comes_online_with_nobody_waiting_is_not_rung(sales, fake_twilio, on_commit):
    from parley.accounts.services import agent_set_availability

    ana = sales.members.get()
    ana.availability = "offline"
    ana.save(update_fields=["availability"])
    with on_commit():
        agent_set_availability(user=ana, availability="online")

    assert fake_twilio.created("Calls") == []


def test_an_agent_still_on_a_call_is_not_offered_the_next_caller_on_coming_back_online(caller, sales, voice_inbox, fake_twilio, on_commit):
    from parley.accounts.services import agent_set_availability
    from parley.channels.voice.services import call_answer, call_start

    ana = sales.members.get()
    talking = call_start(inbox=voice_inbox, call_sid="CA" + "e" * 32, from_number="+14155550177", to_number=voice_inbox.settings["number"])
    call_answer(call=talking, agent=ana)
    sales.members.update(availability="offline")
    caller.dial_in()
    caller.press("2")

    with on_commit():
        agent_set_availability(user=sales.members.get(), availability="online")

    assert fake_twilio.created("Calls") == []
