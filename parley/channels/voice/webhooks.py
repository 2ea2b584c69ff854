"""The voice channel's call steps: each a signed Twilio-dialect webhook answered with TwiML in the request.

A call comes in at `calls/`; the TwiML sent back points the provider at the next step
(`calls/menu/<node>/` for a menu choice, `calls/queue/wait/` while waiting …), all under the
inbox's key. Steps write the call log in the request's transaction; what the customer leaves
(a voicemail, its transcription) is stored as an envelope and becomes a conversation.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from parley.accounts.models import Availability, Team, User
from parley.channels.sms.twilio import TwilioWebhook, plain_settings, twiml
from parley.channels.voice import flow as ivr
from parley.channels.voice.adapter import voice_url
from parley.channels.voice.hours import business_open
from parley.channels.voice.models import AgentLine, Call, CallOutcome, IvrFlow
from parley.channels.voice.selectors import queue_average_wait
from parley.channels.voice.services import (
    call_answer, call_end, call_enqueue, call_record_path, call_set_outcome, call_start, callback_request_create,
)
from parley.channels.webhooks import Incoming
from parley.core.errors import ApplicationError

#: A menu asked this many times without a usable answer sends the caller to voicemail.
MENU_TRIES = 3
#: What a voice inbox without a configured menu does: greets, and takes a message.
DEFAULT_FLOW = {"start": "greeting", "nodes": [
    {"id": "greeting", "type": "say", "text": "Thank you for calling.", "next": "voicemail"},
    {"id": "voicemail", "type": "voicemail", "text": "Please leave a message after the tone."},
]}
_ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}


def _flow(inbox) -> tuple[str, dict[str, dict]]:
    flow = IvrFlow.objects.filter(inbox=inbox).first()
    if flow is None:
        return DEFAULT_FLOW["start"], ivr.node_map(DEFAULT_FLOW["nodes"])
    return flow.start, ivr.node_map(flow.nodes)


def _caller(inbox, call: Call) -> ivr.Caller:
    attributes = call.contact.custom_attributes if call.contact_id else {}
    return ivr.Caller(attributes=attributes, is_open=lambda: business_open(inbox))


def available_lines(agents) -> list[tuple[User, AgentLine]]:
    """The lines of the given agents who are online and have a phone or SIP address, to ring at once."""
    lines = AgentLine.objects.filter(user__in=agents, user__availability=Availability.ONLINE, user__is_active=True)
    return [(line.user, line) for line in lines.select_related("user") if line.phone or line.sip]


class Player:
    """Builds what one call hears from a flow node on: the walk's words, then the TwiML of where it stopped."""

    def __init__(self, inbox, call: Call):
        self.inbox, self.call = inbox, call
        self.response = VoiceResponse()
        self.start, self.nodes = _flow(inbox)

    @property
    def language(self) -> str:
        return self.call.language or plain_settings(self.inbox).get("language") or "en-US"

    def say(self, text: str, target=None) -> None:
        if text:
            (target or self.response).say(text, language=self.language)

    def url(self, path: str, **query) -> str:
        return voice_url(self.inbox, path) + (f"?{urlencode(query)}" if query else "")

    def play(self, node_id: str, *, choice: str = "", language: str = "") -> VoiceResponse:
        result = ivr.walk(self.nodes, node_id, _caller(self.inbox, self.call))
        self.call = call_record_path(call=self.call, nodes=result.path, choice=choice, language=language)
        for how, value in result.said:
            if how == "play":
                self.response.play(value)
            else:
                self.say(value)
        self.end(result.stop or {"type": "voicemail", "text": "Please leave a message after the tone."})
        return self.response

    def end(self, node: dict, *, tries: int = 1) -> VoiceResponse:
        """Render the node a walk stopped at: a menu's question, or one of the endings."""
        getattr(self, f"_{node['type']}")(node, tries=tries)
        return self.response

    def _menu(self, node: dict, *, tries: int) -> None:
        hints = ", ".join(o["words"] for o in node.get("options", []) if o.get("words"))
        gather = Gather(input="dtmf speech", num_digits=1, timeout=6, action=self.url(f"calls/menu/{node['id']}/", tries=tries),
                        language=self.language, **({"hints": hints} if hints else {}))
        self.say(node.get("text", ""), gather)
        self.response.append(gather)
        # No input at all: Twilio goes on past the Gather; ask again through the same step.
        self.response.redirect(self.url(f"calls/menu/{node['id']}/", tries=tries))

    def _queue(self, node: dict, **_) -> None:
        team = Team.objects.filter(pk=node.get("team")).first()
        if team is None:
            return self._voicemail({"text": "Nobody can take your call right now. Please leave a message after the tone."})
        self.say(node.get("text", ""))
        self.call = call_enqueue(call=self.call, team=team)
        lines = available_lines(team.members.all())
        if lines:
            self._dial(lines, then="queue", team=team.pk)
        else:
            self.enqueue(team)

    def enqueue(self, team: Team) -> None:
        self.response.enqueue(f"team-{team.pk}", wait_url=self.url("calls/queue/wait/"),
                              action=self.url("calls/queue/done/"))

    def _agent(self, node: dict, **_) -> None:
        self.say(node.get("text", ""))
        lines = available_lines(User.objects.filter(pk=node.get("agent")))
        if not lines:
            return self._voicemail({"text": "The person you are calling cannot answer right now. Please leave a message after the tone."})
        self._dial(lines, then="voicemail")

    def _dial(self, lines, **then) -> None:
        dial = Dial(action=self.url("calls/dial/done/", **then), timeout=plain_settings(self.inbox).get("ring_seconds", 20),
                    caller_id=self.call.from_number)
        for user, line in lines:
            whisper = self.url("calls/answered/", agent=user.pk)
            if line.phone:
                dial.number(line.phone, url=whisper)
            if line.sip:
                dial.sip(line.sip, url=whisper)
        self.response.append(dial)

    def _voicemail(self, node: dict, **_) -> None:
        self.say(node.get("text") or "Please leave a message after the tone.")
        self.response.record(action=self.url("calls/voicemail/"), max_length=300, play_beep=True, transcribe=True,
                             transcribe_callback=self.url("calls/transcription/"))
        self.say("We did not get a message. Goodbye.")
        self.response.hangup()

    def _callback(self, node: dict, **_) -> None:
        gather = Gather(input="dtmf speech", num_digits=1, timeout=6, speech_timeout="auto", action=self.url("calls/callback/"),
                        language=self.language)
        self.say(node.get("text") or "Say when we should call you back, or press 1 for as soon as possible.", gather)
        self.response.append(gather)
        self.response.redirect(self.url("calls/callback/"))

    def _hangup(self, node: dict, **_) -> None:
        self.say(node.get("text", ""))
        self.response.hangup()


class CallStep(TwilioWebhook):
    """A step of a call: signed, answered with TwiML computed (and logged) in the request."""

    kind = "voice"
    checks_number = False

    def unknown_number_twiml(self) -> str:
        response = VoiceResponse()
        response.say("The number you called is not in service.")
        response.hangup()
        return str(response)

    def handle(self, request, inbox, **kwargs) -> HttpResponse:
        self.verify(request, inbox, **kwargs)
        # One transaction for what the step stores and logs: a caller waits on every statement of it.
        with transaction.atomic():
            for item in self.incoming(request, inbox, **kwargs):
                self.store(item, inbox)
            return twiml(self.answer(request, inbox, **kwargs))

    def incoming(self, request, inbox, **kwargs) -> list[Incoming]:
        return []

    def answer(self, request, inbox, **kwargs) -> VoiceResponse:
        raise NotImplementedError

    @staticmethod
    def call(request, inbox, sid_field: str = "CallSid") -> Call:
        """The logged call this step is about; a step whose first webhook never arrived starts the log now."""
        sid = request.POST.get(sid_field, "")
        if not sid:
            raise ApplicationError(f"The request names no {sid_field}.", extra={sid_field: "required"}, status=400)
        call = call_start(inbox=inbox, call_sid=sid, from_number=request.POST.get("From", ""), to_number=request.POST.get("To", ""))
        if call.inbox_id != inbox.pk:
            raise ApplicationError("This call belongs to another inbox.", extra={sid_field: sid}, status=404)
        return call


class IncomingCall(CallStep):
    """POST calls/: a call to the inbox's number; logged once per CallSid, answered with the menu's start."""

    checks_number = True

    def answer(self, request, inbox, **kwargs):
        player = Player(inbox, self.call(request, inbox))
        return player.play(player.start)


class MenuChoice(CallStep):
    """POST calls/menu/<node>/: the caller pressed a key or said something at a menu (or nothing)."""

    def answer(self, request, inbox, node: str = "", **kwargs):
        player = Player(inbox, self.call(request, inbox))
        menu = player.nodes.get(node)
        if menu is None or menu["type"] != "menu":
            # The menu changed while the caller listened: start them again.
            return player.play(player.start)
        given = request.POST.get("Digits", "") or request.POST.get("SpeechResult", "")
        option = ivr.choose(menu, digits=request.POST.get("Digits", ""), speech=request.POST.get("SpeechResult", ""))
        if option is not None:
            return player.play(option.get("next", ""), choice=given or "?", language=option.get("language", ""))
        tries = int(request.GET.get("tries") or 1) + 1
        if tries > MENU_TRIES:
            return player.end({"type": "voicemail", "text": "Let us take a message instead. Please speak after the tone."})
        player.say("Sorry, that is not one of the choices." if given else "Sorry, I did not hear a choice.")
        return player.end(menu, tries=tries)


class DialDone(CallStep):
    """POST calls/dial/done/: the agents rung answered (the call is over) or did not (queue or voicemail)."""

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        player = Player(inbox, call)
        if request.POST.get("DialCallStatus") in ("completed", "answered"):
            player.response.hangup()
            return player.response
        team = Team.objects.filter(pk=request.GET.get("team") or None).first()
        if request.GET.get("then") == "queue" and team is not None:
            player.say("All our agents are busy. Please hold.")
            player.enqueue(team)
            return player.response
        return player.end({"type": "voicemail", "text": "Nobody could answer. Please leave a message after the tone."})


class AgentAnswered(CallStep):
    """POST calls/answered/?agent=<id>: an agent picked up (the whisper before the caller is connected)."""

    def answer(self, request, inbox, **kwargs):
        # Dialled lines are child legs (ParentCallSid is the caller's); a dequeued caller is CallSid itself.
        call = self.call(request, inbox, "ParentCallSid" if request.POST.get("ParentCallSid") else "CallSid")
        agent = User.objects.filter(pk=request.GET.get("agent") or None, is_active=True).first()
        call = call_answer(call=call, agent=agent)
        response = VoiceResponse()
        response.say(f"Call from {call.contact or call.from_number} to {inbox.name}.")
        return response


class QueueWait(CallStep):
    """POST calls/queue/wait/: played in a loop while the caller waits: position, estimated wait, music; overflow."""

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        player = Player(inbox, call)
        waited = int(request.POST.get("QueueTime") or 0)
        if waited >= plain_settings(inbox).get("overflow_minutes", 5) * 60:
            player.response.leave()
            return player.response
        position = int(request.POST.get("QueuePosition") or 1)
        average = int(request.POST.get("AvgQueueTime") or 0) or queue_average_wait(team_id=call.team_id)
        minutes = max(1, round(average * position / 60)) if average else None
        player.say(f"You are caller number {position} in the queue."
                   + (f" The estimated wait is about {minutes} minute{'s' if minutes != 1 else ''}." if minutes else ""))
        if plain_settings(inbox).get("hold_music_url"):
            player.response.play(plain_settings(inbox)["hold_music_url"])
        else:
            player.response.pause(length=20)
        return player.response


class QueueDone(CallStep):
    """POST calls/queue/done/: the caller left the queue: bridged to an agent, hung up, or overflowed."""

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        player = Player(inbox, call)
        result = request.POST.get("QueueResult", "")
        if result == "leave":
            overflow = plain_settings(inbox).get("overflow_to", "voicemail")
            text = ("Sorry to keep you waiting. Please leave a message after the tone." if overflow == "voicemail"
                    else "Sorry to keep you waiting. Say when we should call you back, or press 1 for as soon as possible.")
            return player.end({"type": overflow, "text": text})
        if result == "hangup":
            call_end(call=call, status="completed")
        player.response.hangup()
        return player.response


class Voicemail(CallStep):
    """POST calls/voicemail/: the recording of a message, stored once per RecordingSid; becomes a conversation."""

    @staticmethod
    def recorded(request) -> bool:
        # A caller who hangs up at the beep leaves a recording of nothing: no message, no voicemail outcome.
        return bool(request.POST.get("RecordingSid")) and int(request.POST.get("RecordingDuration") or 0) > 0

    def incoming(self, request, inbox, **kwargs):
        if not self.recorded(request):
            return []
        return [Incoming(external_id=request.POST["RecordingSid"], payload={"event": "voicemail", **request.POST.dict()})]

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        player = Player(inbox, call)
        if self.recorded(request):
            call_set_outcome(call=call, outcome=CallOutcome.VOICEMAIL, recording_url=request.POST.get("RecordingUrl", ""))
            player.say("Thank you for your message. Goodbye.")
        player.response.hangup()
        return player.response


class Transcription(CallStep):
    """POST calls/transcription/: the provider's transcription of a voicemail, added to its conversation."""

    def incoming(self, request, inbox, **kwargs):
        if request.POST.get("TranscriptionStatus") != "completed" or not request.POST.get("TranscriptionSid"):
            return []
        return [Incoming(external_id=request.POST["TranscriptionSid"], payload={"event": "transcription", **request.POST.dict()})]

    def answer(self, request, inbox, **kwargs):
        return VoiceResponse()


class CallbackChoice(CallStep):
    """POST calls/callback/: when the caller wants to be called back (said, keyed, or nothing: as soon as possible)."""

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        said = request.POST.get("SpeechResult", "").strip()
        preferred = said or "as soon as possible"
        callback_request_create(call=call, preferred_time=preferred)
        player = Player(inbox, call)
        player.say(f"Thank you. We will call you back on this number, {preferred}. Goodbye.")
        player.response.hangup()
        return player.response


class CallStatus(CallStep):
    """POST calls/status/: the provider's status callback; an ended call closes its log (abandoned, missed …)."""

    def answer(self, request, inbox, **kwargs):
        status = request.POST.get("CallStatus", "")
        if status in _ENDED:
            call_end(call=self.call(request, inbox), status=status,
                     duration_seconds=int(request.POST.get("CallDuration") or 0) or None,
                     recording_url=request.POST.get("RecordingUrl", ""))
        return VoiceResponse()


class OutboundConnect(CallStep):
    """POST calls/outbound/?conversation=<id>: the agent answered a click-to-call; connect them to the customer."""

    def answer(self, request, inbox, **kwargs):
        call = self.call(request, inbox)
        call_answer(call=call, agent=call.agent)
        response = VoiceResponse()
        dial = Dial(caller_id=plain_settings(inbox)["number"])
        dial.number(call.to_number)
        response.append(dial)
        return response


class Dequeue(CallStep):
    """POST calls/dequeue/?team=<id>&agent=<id>: an agent asked for the next waiting caller of a team's queue."""

    def answer(self, request, inbox, **kwargs):
        response = VoiceResponse()
        dial = Dial()
        dial.queue(f"team-{int(request.GET.get('team') or 0)}",
                   url=voice_url(inbox, "calls/answered/") + f"?agent={int(request.GET.get('agent') or 0)}")
        response.append(dial)
        return response
