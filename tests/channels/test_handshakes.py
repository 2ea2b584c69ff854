"""Providers' verification schemes, fed with requests shaped as each provider's documentation shows."""
import base64
import hashlib
import hmac
import json

import pytest
from django.test import RequestFactory

from parley.channels.handshakes import (
    meta_challenge, meta_signature_verify, telegram_secret_verify, x_crc_challenge, x_signature_verify,
)
from parley.channels.webhooks import SignatureInvalid, SignatureMissing

requests = RequestFactory()
# Meta's "Getting started with webhooks" example values.
META_VERIFY_TOKEN = "meatyhamhock"
META_APP_SECRET = "meta-app-secret"
# The consumer secret and token of X's own CRC sample code.
X_CONSUMER_SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
X_CRC_TOKEN = "9b4507b3-9040-4669-9ca3-6b94edb50553"
WHATSAPP_STATUS = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
    {"field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [
        {"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", "status": "delivered",
         "timestamp": "1750263773", "recipient_id": "16505551234"}]}}]}]}).encode()


def test_meta_verification_request_is_answered_with_the_challenge():
    request = requests.get("/", {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": META_VERIFY_TOKEN})

    response = meta_challenge(request, verify_token=META_VERIFY_TOKEN)

    assert response.status_code == 200 and response.content == b"1158201444"


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "guess"},
    {"hub.mode": "unsubscribe", "hub.challenge": "1158201444", "hub.verify_token": META_VERIFY_TOKEN},
], ids=["wrong-token", "wrong-mode"])
def test_meta_verification_with_a_wrong_token_or_mode_is_refused(query):
    with pytest.raises(SignatureInvalid):
        meta_challenge(requests.get("/", query), verify_token=META_VERIFY_TOKEN)


def test_meta_verification_leaves_other_requests_to_the_webhook():
    assert meta_challenge(requests.post("/", WHATSAPP_STATUS, content_type="application/json"), verify_token="t") is None
    assert meta_challenge(requests.get("/"), verify_token="t") is None


def test_a_meta_post_signed_with_the_app_secret_passes_and_a_forged_one_does_not():
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), WHATSAPP_STATUS, hashlib.sha256).hexdigest()
    signed = requests.post("/", WHATSAPP_STATUS, content_type="application/json", headers={"X-Hub-Signature-256": signature})
    tampered = requests.post("/", WHATSAPP_STATUS.replace(b"delivered", b"read"), content_type="application/json",
                             headers={"X-Hub-Signature-256": signature})
    unsigned = requests.post("/", WHATSAPP_STATUS, content_type="application/json")

    meta_signature_verify(signed, app_secret=META_APP_SECRET)
    with pytest.raises(SignatureInvalid):
        meta_signature_verify(tampered, app_secret=META_APP_SECRET)
    with pytest.raises(SignatureMissing):
        meta_signature_verify(unsigned, app_secret=META_APP_SECRET)


def test_telegram_updates_must_carry_the_secret_token_set_with_set_webhook():
    update = json.dumps({"update_id": 10000, "message": {"message_id": 1, "date": 1441645532, "text": "hi",
                                                         "chat": {"id": 1111111, "type": "private"}}})
    secret = "Parley_webhook-0123456789"

    telegram_secret_verify(requests.post("/", update, content_type="application/json",
                                         headers={"X-Telegram-Bot-Api-Secret-Token": secret}), secret_token=secret)
    with pytest.raises(SignatureInvalid):
        telegram_secret_verify(requests.post("/", update, content_type="application/json",
                                             headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}), secret_token=secret)
    with pytest.raises(SignatureMissing):
        telegram_secret_verify(requests.post("/", update, content_type="application/json"), secret_token=secret)


def test_x_crc_check_is_answered_with_the_base64_hmac_of_the_token():
    response = x_crc_challenge(requests.get("/", {"crc_token": X_CRC_TOKEN}), consumer_secret=X_CONSUMER_SECRET)

    expected = base64.b64encode(hmac.new(X_CONSUMER_SECRET.encode(), X_CRC_TOKEN.encode(), hashlib.sha256).digest()).decode()
    assert response.status_code == 200
    assert json.loads(response.content) == {"response_token": f"sha256={expected}"}
    assert x_crc_challenge(requests.get("/"), consumer_secret=X_CONSUMER_SECRET) is None


def test_an_x_post_must_carry_the_base64_hmac_of_its_body():
    body = json.dumps({"for_user_id": "2244994945", "direct_message_events": []}).encode()
    signature = "sha256=" + base64.b64encode(hmac.new(X_CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()).decode()

    x_signature_verify(requests.post("/", body, content_type="application/json",
                                     headers={"X-Twitter-Webhooks-Signature": signature}), consumer_secret=X_CONSUMER_SECRET)
    with pytest.raises(SignatureInvalid):
        x_signature_verify(requests.post("/", body, content_type="application/json",
                                         headers={"X-Twitter-Webhooks-Signature": signature}), consumer_secret="other")
