"""Fixtures for the SMS and voice channels: inboxes on a local fake of Twilio's API, and signed webhook requests."""
from urllib.parse import urlencode

import pytest
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from twilio_wire import VOICE_NUMBER, signature


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
