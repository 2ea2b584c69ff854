"""Fixtures for the SMS and voice channels: inboxes on a local fake of Twilio's API, and signed webhook requests."""
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

SMS_NUMBER = "+14155550100"
VOICE_NUMBER = "+14155550199"
CUSTOMER = "+14155552671"


def signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature as Twilio computes it, with the twilio package's own validator."""
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def sms_inbox(db, fake_twilio):
    from parley.channels.services import inbox_create

    return inbox_create(name="Texts", kind="sms", config={
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "number": "+1 415 555 0100", "api_base_url": fake_twilio.base_url})


@pytest.fixture
def twilio_post(settings, django_capture_on_commit_callbacks):
    """POST form `params` to a Parley path signed as Twilio would sign the public URL (token overridable).

    The jobs the request commits (processing what it stored) run before this returns.
    """

    def post(client, path: str, params: dict, *, token: str = AUTH_TOKEN, signed: bool = True):
        headers = {"X-Twilio-Signature": signature(settings.PARLEY_BASE_URL + path, params, token)} if signed else {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers)

    return post


def inbound_sms(sid: str = "SM" + "1" * 32, body: str = "Where is my order?", *, sender: str = CUSTOMER, to: str = SMS_NUMBER,
                **extra) -> dict:
    """The form Twilio posts for an incoming message (its documented parameters)."""
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01", **extra}


@pytest.fixture
def voice_inbox(db, fake_twilio):
    from parley.channels.services import inbox_create

    return inbox_create(name="Hotline", kind="voice", config={
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "number": VOICE_NUMBER, "api_base_url": fake_twilio.base_url,
        "open_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "opens_at": "00:00", "closes_at": "23:59",
        "overflow_minutes": 3, "hold_music_url": "https://example.com/hold.mp3"})


@pytest.fixture
def sales(db, make_agent):
    """The sales team, with Ana online on her desk phone."""
    from parley.accounts.models import Team
    from parley.channels.voice.services import agent_line_set

    ana = make_agent(name="Ana Agent")
    ana.availability = "online"
    ana.save(update_fields=["availability"])
    agent_line_set(user=ana, phone="+1 415 555 0142", sip="")
    team = Team.objects.create(name="Sales")
    team.members.add(ana)
    return team


def acme_flow(team_id: int) -> list[dict]:
    """A menu tree with every kind of node: hours, menus by key or word, a language, order status, queue, call-back."""
    return [
        {"id": "welcome", "type": "hours", "open_next": "main", "closed_next": "closed"},
        {"id": "closed", "type": "voicemail", "text": "We are closed. Please leave a message after the tone."},
        {"id": "main", "type": "menu", "text": "Welcome to Acme. For your order status press 1 or say order. "
                                                "For sales press 2 or say sales. Para español, oprima 3. "
                                                "To be called back press 4.",
         "options": [{"key": "1", "words": "order", "next": "order"}, {"key": "2", "words": "sales", "next": "sales"},
                     {"key": "3", "words": "español", "next": "main_es", "language": "es-ES"},
                     {"key": "4", "words": "call back", "next": "call_back"}]},
        {"id": "order", "type": "order_status", "field": "order_status", "next": "bye"},
        {"id": "bye", "type": "hangup", "text": "Thank you for calling. Goodbye."},
        {"id": "sales", "type": "queue", "team": team_id, "text": "Connecting you to sales."},
        {"id": "main_es", "type": "menu", "text": "Para dejar un mensaje, oprima 1.",
         "options": [{"key": "1", "words": "mensaje", "next": "voicemail_es"}]},
        {"id": "voicemail_es", "type": "voicemail", "text": "Deje su mensaje después del tono."},
        {"id": "call_back", "type": "callback", "text": "Say when we should call you back."},
    ]


def call_params(sid: str = "CA" + "a" * 32, *, caller: str = CUSTOMER, to: str = VOICE_NUMBER, **extra) -> dict:
    """The form Twilio posts for a call step (its documented parameters)."""
    return {"CallSid": sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": to, "Direction": "inbound",
            "CallStatus": "in-progress", "ApiVersion": "2010-04-01", **extra}
