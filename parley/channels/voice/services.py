"""Writes of the voice channel: the call log, call-back requests, the IVR flow, agents' lines, click-to-call."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.models import Availability, User
from parley.accounts.permissions import require
from parley.channels.base import DeliveryError
from parley.channels.voice.flow import flow_problems
from parley.channels.voice.selectors import contact_for_number
from parley.channels.voice.models import AgentLine, Call, CallbackRequest, CallDirection, CallOutcome, IvrFlow
from parley.contacts.services import contact_resolve_identity
from parley.conversations.models import ConversationType
from parley.core import events
from parley.core.errors import ValidationFailed
from parley.core.phones import phone_e164
from parley.core.services import audit_record


def _publish(call: Call) -> None:
    events.publish("call.updated", {"call_id": call.pk, "inbox_id": call.inbox_id, "contact_id": call.contact_id,
                                    "outcome": call.outcome})


@transaction.atomic
def call_start(*, inbox, call_sid: str, from_number: str, to_number: str, direction: str = CallDirection.INBOUND,
               contact=None, conversation=None, agent=None) -> Call:
    """Log a call once per provider id (a redelivered webhook finds the same call).

    A caller already known by their number is linked now (the menu may read their data); a new
    one becomes a contact when the call ends, off the path of the answer the caller waits for.
    """
    existing = Call.objects.filter(call_sid=call_sid).select_related("contact").first()
    if existing:
        return existing
    if contact is None and direction == CallDirection.INBOUND:
        contact = contact_for_number(phone_e164(from_number) or from_number)
    call = Call.objects.create(inbox=inbox, call_sid=call_sid, direction=direction, from_number=from_number,
                               to_number=to_number, contact=contact, conversation=conversation, agent=agent,
                               started_at=timezone.now())
    _publish(call)
    return call


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _with_contact(call: Call) -> Call:
    """Make the caller of an inbound call a contact if they are not one yet (locked call, saved by the caller)."""
    if call.contact_id is None and call.direction == CallDirection.INBOUND:
        number = phone_e164(call.from_number) or call.from_number
        call.contact = contact_resolve_identity(inbox=call.inbox, kind="phone", source_id=number, phone=number)
    return call


@transaction.atomic
def call_record_path(*, call: Call, nodes: list[str], choice: str = "", language: str = "") -> Call:
    """Append the menu nodes a caller went through (and the choice that led there) to the call's IVR path.

    Not locked: a provider sends one call's steps one after another, and this is on the path of
    every answer a caller waits for.
    """
    if choice and call.ivr_path:
        call.ivr_path[-1] = f"{call.ivr_path[-1]}={choice}"
    call.ivr_path += nodes
    call.language = language or call.language
    call.save(update_fields=["ivr_path", "language"])
    return call


@transaction.atomic
def call_enqueue(*, call: Call, team) -> Call:
    call = _locked(call)
    call.team = team
    call.queued_at = call.queued_at or timezone.now()
    call.save(update_fields=["team", "queued_at"])
    return call


@transaction.atomic
def call_answer(*, call: Call, agent) -> Call:
    """An agent picked up: the wait ends now."""
    call = _locked(call)
    if call.answered_at is None:
        now = timezone.now()
        call.agent, call.answered_at, call.outcome = agent, now, CallOutcome.ANSWERED
        call.wait_seconds = int((now - (call.queued_at or call.started_at)).total_seconds())
        call.save(update_fields=["agent", "answered_at", "outcome", "wait_seconds"])
        _publish(call)
    return call


@transaction.atomic
def call_set_outcome(*, call: Call, outcome: str, recording_url: str = "") -> Call:
    call = _locked(call)
    call.outcome = outcome
    call.recording_url = recording_url or call.recording_url
    call.save(update_fields=["outcome", "recording_url"])
    _publish(call)
    return call


@transaction.atomic
def call_end(*, call: Call, status: str, duration_seconds: int | None = None, recording_url: str = "") -> Call:
    """Close the log of a call the provider says has ended; a repeat of the callback changes nothing.

    A caller who hangs up while waiting in a queue abandoned it; one who hangs up in the menu
    never asked for anyone. Talk time is from the agent's answer to the end.
    """
    call = _with_contact(_locked(call))
    if call.ended_at is not None:
        return call
    now = timezone.now()
    call.ended_at = now
    call.recording_url = recording_url or call.recording_url
    if call.answered_at is not None:
        call.talk_seconds = int((now - call.answered_at).total_seconds())
    elif call.direction == CallDirection.OUTBOUND and status == "completed":
        call.outcome, call.talk_seconds = CallOutcome.ANSWERED, duration_seconds or 0
    if call.outcome == CallOutcome.IN_PROGRESS:
        if call.queued_at is not None:
            call.outcome = CallOutcome.ABANDONED
            call.wait_seconds = int((now - call.queued_at).total_seconds())
        elif call.direction == CallDirection.INBOUND and status == "completed":
            call.outcome = CallOutcome.ENDED_IN_MENU
        else:
            call.outcome = CallOutcome.MISSED
    call.save()
    _publish(call)
    return call


@transaction.atomic
def call_annotate(*, call: Call, actor, notes: str, disposition: str) -> Call:
    """An agent's notes and disposition ("resolved", "follow-up needed" …) on a call."""
    require(actor, "conversation.note")
    call = _locked(call)
    call.notes, call.disposition = notes.strip(), disposition.strip()[:60]
    call.save(update_fields=["notes", "disposition"])
    audit_record(actor=actor, action="call.annotated", target=call, changes={"disposition": call.disposition})
    _publish(call)
    return call


@transaction.atomic
def callback_request_create(*, call: Call, preferred_time: str) -> CallbackRequest:
    """Open a task conversation to call the caller back, once per call; the call's outcome says so."""
    from parley.channels.base import InboundMessage
    from parley.conversations.services import conversation_create, message_receive

    existing = CallbackRequest.objects.filter(call=call).first()
    if existing:
        return existing
    call = _with_contact(_locked(call))
    Call.objects.filter(pk=call.pk).update(contact=call.contact)
    preferred = preferred_time.strip() or "as soon as possible"
    number = call.from_number
    conversation = conversation_create(inbox=call.inbox, contact=call.contact, subject=f"Call back {number}",
                                       type=ConversationType.TASK)
    # The caller's request is their message on the task, as a voicemail would be.
    message_receive(inbox=call.inbox, inbound=InboundMessage(
        external_id=f"callback:{call.call_sid}", identity_kind="phone", source_id=number, conversation_id=conversation.pk,
        text=f"Please call me back on {number}. Preferred time: {preferred}.",
        metadata={"callback": {"number": number, "preferred_time": preferred, "call_id": call.pk}}))
    request = CallbackRequest.objects.create(call=call, number=number, preferred_time=preferred[:200],
                                             conversation=conversation, created_at=timezone.now())
    Call.objects.filter(pk=call.pk).update(conversation=conversation)
    call_set_outcome(call=call, outcome=CallOutcome.CALLBACK)
    return request


@transaction.atomic
def callback_request_done(*, request: CallbackRequest, actor) -> CallbackRequest:
    require(actor, "conversation.update")
    request = CallbackRequest.objects.select_for_update().get(pk=request.pk)
    if request.done_at is None:
        request.done_at, request.done_by = timezone.now(), actor
        request.save(update_fields=["done_at", "done_by"])
        audit_record(actor=actor, action="callback.done", target=request.conversation)
    return request


@transaction.atomic
def ivr_flow_save(*, inbox, start: str, nodes: list[dict], actor) -> IvrFlow:
    """Replace a voice inbox's menu tree; a flow with dangling links or unknown node types is refused (422)."""
    require(actor, "inbox.manage")
    if inbox.kind != "voice":
        raise ValidationFailed(gettext("Only a voice inbox has a call menu."), extra={"inbox": inbox.kind})
    if problems := flow_problems(start, nodes):
        raise ValidationFailed(gettext("The call menu is not complete."), extra=problems)
    flow, _ = IvrFlow.objects.update_or_create(inbox=inbox, defaults={"start": start, "nodes": nodes})
    audit_record(actor=actor, action="ivr.saved", target=inbox, changes={"nodes": len(nodes), "start": start})
    return flow


@transaction.atomic
def agent_line_set(*, user, phone: str, sip: str) -> AgentLine:
    """Set where an agent takes calls: a phone number (stored in E.164) and/or a SIP address."""
    problems = {}
    number = phone_e164(phone) if phone.strip() else ""
    if phone.strip() and number is None:
        problems["phone"] = "is not a phone number"
    if sip.strip() and not sip.strip().startswith(("sip:", "sips:")):
        problems["sip"] = "must start with sip:"
    if problems:
        raise ValidationFailed(gettext("The phone line is not valid."), extra=problems)
    line, _ = AgentLine.objects.update_or_create(user=user, defaults={"phone": number or "", "sip": sip.strip()})
    return line


def _agent_line(actor) -> AgentLine:
    line = AgentLine.objects.filter(user=actor).first()
    if line is None or not (line.phone or line.sip):
        raise ValidationFailed(gettext("Your phone line is not set: set your phone or SIP address on your profile first."),
                               extra={"line": "set your phone or SIP address on your profile first"})
    return line


def _waiting_calls():
    return (Call.objects.filter(queued_at__isnull=False, answered_at__isnull=True, ended_at__isnull=True)
            .select_related("inbox", "team").order_by("queued_at", "id"))


def _ring_for_queue(*, waiting: Call, line: AgentLine, agent) -> str:
    """Have the provider ring the agent's line; answered, it takes the longest-waiting caller of the team's queue."""
    from parley.channels.sms.twilio import TwilioApi
    from parley.channels.voice.adapter import voice_url

    inbox = waiting.inbox
    try:
        answer = TwilioApi(inbox.settings).create("Calls", {
            "To": line.phone or line.sip, "From": inbox.settings["number"],
            "Url": voice_url(inbox, "calls/dequeue/") + f"?team={waiting.team_id}&agent={agent.pk}"})
    except DeliveryError as exc:
        raise ValidationFailed(gettext("The provider did not place the call: %(reason)s.") % {"reason": exc.reason},
                               extra={"call": exc.reason}, status=502) from exc
    return answer["sid"]


def queue_take_next(*, team, actor) -> str:
    """Ring the agent's line and connect them to the longest-waiting caller in a team's queue; return the provider's call id."""
    require(actor, "conversation.reply")
    waiting = _waiting_calls().filter(team=team).first()
    if waiting is None:
        raise ValidationFailed(gettext("Nobody is waiting in this queue."), extra={"team": team.name})
    return _ring_for_queue(waiting=waiting, line=_agent_line(actor), agent=actor)


def queue_offer_to_agent(*, agent_id: int) -> str | None:
    """Offer the longest-waiting caller of an agent's teams to the agent, who just came online; return the provider's call id.

    Nothing is offered to an agent who is not online, has no phone line, or is already on a call,
    nor when nobody waits.
    """
    agent = User.objects.filter(pk=agent_id, is_active=True, availability=Availability.ONLINE).first()
    line = AgentLine.objects.filter(user_id=agent_id).first()
    if agent is None or line is None or not (line.phone or line.sip):
        return None
    if Call.objects.filter(agent=agent, answered_at__isnull=False, ended_at__isnull=True).exists():
        return None
    waiting = _waiting_calls().filter(team__members=agent).first()
    if waiting is None:
        return None
    return _ring_for_queue(waiting=waiting, line=line, agent=agent)


def call_place(*, conversation, actor) -> Call:
    """Click-to-call: the provider rings the agent's line, then connects them to the customer (Calls.json).

    The API call happens outside any transaction; the call is logged once the provider accepted it.
    """
    from parley.channels.sms.twilio import TwilioApi
    from parley.channels.voice.adapter import voice_url

    require(actor, "conversation.reply")
    inbox = _voice_inbox_for(conversation)
    customer = conversation.contact.phone
    if not customer:
        raise ValidationFailed(gettext("This call cannot be placed: the customer has no phone number."),
                               extra={"contact": "the customer has no phone number"})
    line = _agent_line(actor)
    try:
        answer = TwilioApi(inbox.settings).create("Calls", {
            "To": line.phone or line.sip, "From": inbox.settings["number"],
            "Url": voice_url(inbox, "calls/outbound/") + f"?conversation={conversation.pk}",
            "StatusCallback": voice_url(inbox, "calls/status/"),
        })
    except DeliveryError as exc:
        raise ValidationFailed(gettext("The provider did not place the call: %(reason)s.") % {"reason": exc.reason},
                               extra={"call": exc.reason}, status=502) from exc
    return call_start(inbox=inbox, call_sid=answer["sid"], from_number=inbox.settings["number"], to_number=customer,
                      direction=CallDirection.OUTBOUND, contact=conversation.contact, conversation=conversation, agent=actor)


def _voice_inbox_for(conversation):
    from parley.channels.models import Inbox

    if conversation.inbox.kind == "voice":
        return conversation.inbox
    inbox = Inbox.objects.filter(kind="voice", is_active=True).order_by("pk").first()
    if inbox is None:
        raise ValidationFailed(gettext("There is no voice inbox to call from."), extra={"inbox": "none"})
    return inbox
