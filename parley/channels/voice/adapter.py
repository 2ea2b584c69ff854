"""The voice channel: a phone number answered by an IVR, queues that ring available agents, voicemail and call-backs.

Every call step is a Twilio-dialect webhook answered in the request with TwiML (a caller hears
silence otherwise). What customers leave (a voicemail, its transcription) travels the usual
envelope path into a conversation; every call is logged (voice.models.Call) on the contact.
"""
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, field_validator

from parley.channels.base import Capabilities, ChannelAdapter, Endpoint, InboundMessage
from parley.channels.config import WholeNumber
from parley.channels.registry import register
from parley.channels.sms.twilio import TwilioAccountConfig
from parley.core.phones import phone_e164

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def voice_url(inbox, path: str) -> str:
    """The public URL of one of a voice inbox's call steps (what TwiML points the provider at)."""
    return f"{settings.PARLEY_BASE_URL.rstrip('/')}/channels/voice/{inbox.key}/{path}"


class VoiceInboxConfig(TwilioAccountConfig):
    """A phone number: the provider account, the voice, opening hours and how queues behave."""

    language: str = Field("en-US", title="Language", description="the voice's language, e.g. en-US, de-DE, es-ES")
    hold_music_url: str = Field("", title="Hold music URL", description="an MP3 or WAV played to waiting callers; empty: silence")
    ring_seconds: WholeNumber = Field(20, title="Ring agents for (seconds)")
    overflow_minutes: WholeNumber = Field(5, title="Overflow after (minutes)",
                                          description="callers waiting in a queue longer than this leave it")
    overflow_to: Literal["voicemail", "callback"] = Field("voicemail", title="Overflow to")
    open_days: list[Day] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"], title="Open on",
                                description="used only when no business calendar covers this inbox (Settings → Routing)")
    opens_at: str = Field("09:00", title="Opens at", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")
    closes_at: str = Field("17:00", title="Closes at", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")
    time_zone: str = Field("UTC", title="Time zone", description="e.g. Europe/Berlin")

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a time zone (e.g. Europe/Berlin)") from None
        return zone

    def problems(self) -> dict[str, str]:
        return {"closes_at": "must be after the opening time"} if self.closes_at <= self.opens_at else {}


def _duration(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@register
class VoiceAdapter(ChannelAdapter):
    kind = "voice"
    label = gettext_lazy("Voice")
    # Nobody "replies" into a call: answers are kept on the conversation, and agents call back from it.
    can_send = False
    continues_open_conversation = True
    capabilities = Capabilities(note=gettext_noop("phone: replies are kept for the record; call the customer from the conversation"))
    config_schema = VoiceInboxConfig

    def endpoints(self) -> list[Endpoint]:
        from parley.channels.voice import webhooks

        return [
            Endpoint("calls/", webhooks.IncomingCall(), per_inbox=True),
            Endpoint("calls/status/", webhooks.CallStatus(), per_inbox=True),
            Endpoint("calls/menu/<slug:node>/", webhooks.MenuChoice(), per_inbox=True),
            Endpoint("calls/queue/wait/", webhooks.QueueWait(), per_inbox=True),
            Endpoint("calls/queue/done/", webhooks.QueueDone(), per_inbox=True),
            Endpoint("calls/dial/done/", webhooks.DialDone(), per_inbox=True),
            Endpoint("calls/answered/", webhooks.AgentAnswered(), per_inbox=True),
            Endpoint("calls/voicemail/", webhooks.Voicemail(), per_inbox=True),
            Endpoint("calls/transcription/", webhooks.Transcription(), per_inbox=True),
            Endpoint("calls/callback/", webhooks.CallbackChoice(), per_inbox=True),
            Endpoint("calls/outbound/", webhooks.OutboundConnect(), per_inbox=True),
            Endpoint("calls/dequeue/", webhooks.Dequeue(), per_inbox=True),
        ]

    def console_urls(self, inbox) -> list[tuple[str, str]]:
        # The other steps' URLs travel in the TwiML itself; the console needs only these two.
        return [("A call comes in (POST)", voice_url(inbox, "calls/")),
                ("Call status changes (POST)", voice_url(inbox, "calls/status/"))]

    def settings_links(self, inbox) -> list[tuple[str, str]]:
        from django.urls import reverse

        return [("Edit the call menu (IVR)", reverse("voice:ivr", args=[inbox.pk]))]

    def parse(self, envelope) -> InboundMessage:
        data = envelope.payload
        number = phone_e164(data.get("From", "")) or data.get("From", "")
        if not number:
            raise ValueError("a voicemail needs the caller's number (From)")
        if data.get("event") == "transcription":
            return InboundMessage(
                external_id=envelope.external_id, identity_kind="phone", source_id=number, contact_phone=number,
                thread_refs=(data.get("RecordingSid", ""),),
                text=f"Transcription of the voicemail: {data.get('TranscriptionText', '').strip() or '(empty)'}",
                metadata={"voicemail_transcription": {"recording_sid": data.get("RecordingSid", ""),
                                                      "status": data.get("TranscriptionStatus", "")}},
            )
        seconds = int(data.get("RecordingDuration") or 0)
        url = data.get("RecordingUrl", "")
        return InboundMessage(
            external_id=envelope.external_id, identity_kind="phone", source_id=number, contact_phone=number,
            subject=f"Voicemail from {number}",
            text=f"Voicemail ({_duration(seconds)}): {url}",
            metadata={"voicemail": {"recording_url": url, "duration_seconds": seconds, "call_sid": data.get("CallSid", "")}},
        )
