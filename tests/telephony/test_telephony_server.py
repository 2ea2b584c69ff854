"""SMS and voice against a running Parley (uvicorn, its own process): real HTTP, requests signed with the twilio package.

Replies go to the local fake of Twilio's documented REST API (a real HTTP server in a thread).
"""
from urllib.parse import urlencode

import httpx
import pytest
from twilio_fake import ACCOUNT_SID, AUTH_TOKEN
from twilio_wire import CUSTOMER, SMS_NUMBER, acme_flow, call_params, inbound_sms, signature

from parley.channels.services import inbox_create
from parley.channels.voice.models import Call, CallOutcome
from parley.channels.voice.services import ivr_flow_save
from parley.conversations.models import Conversation, DeliveryStatus
from parley.conversations.services import message_reply

pytestmark = [pytest.mark.servers]


def post(base: str, path: str, params: dict, *, token: str = AUTH_TOKEN) -> httpx.Response:
    return httpx.post(base + path, content=urlencode(params), timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "X-Twilio-Signature": signature(base + path, params, token)})


@pytest.fixture
def live(parley_server, transactional_db):
    return parley_server


def test_texts_in_and_out_over_http_with_status_callbacks(live, fake_twilio, make_agent, settings):
    settings.PARLEY_BASE_URL = live  # the status callback URL the reply names is the running server's
    inbox = inbox_create(name="Texts", kind="sms", config={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                                                           "number": SMS_NUMBER, "api_base_url": fake_twilio.base_url})
    photo = fake_twilio.add_media("/media/ME1", "image/png", b"\x89PNG fake")

    forged = post(live, f"/channels/sms/{inbox.key}/messages/", inbound_sms(), token="guess")
    first = post(live, f"/channels/sms/{inbox.key}/messages/", inbound_sms(NumMedia="1", MediaUrl0=photo, MediaContentType0="image/png"))
    again = post(live, f"/channels/sms/{inbox.key}/messages/", inbound_sms(NumMedia="1", MediaUrl0=photo, MediaContentType0="image/png"))

    assert forged.status_code == 403 and first.status_code == 200 and again.status_code == 200
    conversation = Conversation.objects.get(inbox=inbox)
    message = conversation.messages.get()
    assert message.text == "Where is my order?" and message.attachments.get().filename == "media-1.png"

    reply = message_reply(conversation=conversation, author=make_agent(), text="Shipped today ✅")  # UCS-2, one segment
    reply.refresh_from_db()
    [sent] = fake_twilio.created("Messages")
    assert sent["StatusCallback"] == f"{live}/channels/sms/{inbox.key}/status/"
    callback = {"MessageSid": reply.external_id, "MessageStatus": "delivered", "To": CUSTOMER, "From": SMS_NUMBER,
                "AccountSid": ACCOUNT_SID}
    assert post(live, f"/channels/sms/{inbox.key}/status/", callback).status_code == 200
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED


def test_a_caller_walks_the_menu_over_http_into_a_voicemail_conversation(live, fake_twilio, make_agent, settings):
    from parley.accounts.models import Team

    team = Team.objects.create(name="Sales")
    voice = inbox_create(name="Hotline", kind="voice", config={
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "number": "+14155550199", "api_base_url": fake_twilio.base_url,
        "open_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "opens_at": "00:00", "closes_at": "23:59"})
    ivr_flow_save(inbox=voice, start="welcome", nodes=acme_flow(team.pk), actor=make_agent(role="admin"))
    base = f"/channels/voice/{voice.key}/calls/"

    greeting = post(live, base, call_params())
    spanish = post(live, base + "menu/main/?tries=1", call_params(Digits="3"))
    record = post(live, base + "menu/main_es/?tries=1", call_params(Digits="1"))
    post(live, base + "voicemail/", call_params(RecordingSid="RE1", RecordingUrl="https://example.com/RE1", RecordingDuration="7"))
    post(live, base + "status/", call_params(CallStatus="completed", CallDuration="40"))

    assert "Welcome to Acme." in greeting.text and greeting.headers["Content-Type"] == "text/xml"
    assert '<Say language="es-ES">Para dejar un mensaje, oprima 1.</Say>' in spanish.text
    assert "<Record" in record.text and "Deje su mensaje" in record.text
    call = Call.objects.get()
    assert call.ivr_path == ["welcome", "jingle", "main=3", "main_es=1", "voicemail_es"]
    assert call.outcome == CallOutcome.VOICEMAIL and call.contact.phone == CUSTOMER
    assert Conversation.objects.get(inbox=voice).messages.get().text == "Voicemail (0:07): https://example.com/RE1"
