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
