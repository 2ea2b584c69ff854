"""Providers' webhook verification schemes, for channels' `Webhook.handshake` and `Webhook.verify`.

Each follows the provider's documentation:
- Meta (WhatsApp Cloud API, Messenger, Instagram): a GET with hub.mode=subscribe,
  hub.verify_token and hub.challenge is answered with the challenge when the token is ours;
  every POST carries X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body, keyed with the app secret>.
- Telegram: setWebhook's secret_token comes back in X-Telegram-Bot-Api-Secret-Token on every update.
- X (Account Activity API): a GET with crc_token is answered with
  {"response_token": "sha256=<base64 HMAC-SHA256 of the token, keyed with the consumer secret>"};
  every POST carries x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the body>.
- Twilio (and the providers speaking its dialect): X-Twilio-Signature is the base64 HMAC-SHA1 of
  the URL and the sorted form fields, keyed with the auth token; the `twilio` package checks it.
Comparisons are constant-time, so a forger learns nothing from how long a refusal takes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare

from parley.channels.webhooks import SignatureInvalid, SignatureMissing


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def meta_challenge(request: HttpRequest, *, verify_token: str) -> HttpResponse | None:
    """Answer Meta's subscription check (GET hub.mode=subscribe) with hub.challenge; None for any other request."""
    if request.method != "GET" or "hub.mode" not in request.GET:
        return None
    if request.GET.get("hub.mode") != "subscribe" or not verify_token \
            or not constant_time_compare(request.GET.get("hub.verify_token", ""), verify_token):
        raise SignatureInvalid("The verify token does not match this inbox's.", extra={"hub.verify_token": "mismatch"})
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def meta_signature_verify(request: HttpRequest, *, app_secret: str) -> None:
    """Check X-Hub-Signature-256 on a POST from Meta; raise SignatureMissing/SignatureInvalid."""
    _signature_verify(request, header="X-Hub-Signature-256", secret=app_secret,
                      encode=lambda digest: digest.hex())


def telegram_secret_verify(request: HttpRequest, *, secret_token: str) -> None:
    """Check the X-Telegram-Bot-Api-Secret-Token header against the token set with setWebhook."""
    sent = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if not sent:
        raise SignatureMissing("The request carries no Telegram secret token.",
                               extra={"X-Telegram-Bot-Api-Secret-Token": "required"})
    if not secret_token or not constant_time_compare(sent, secret_token):
        raise SignatureInvalid("The Telegram secret token does not match.", extra={"X-Telegram-Bot-Api-Secret-Token": "mismatch"})


def x_crc_response_token(crc_token: str, *, consumer_secret: str) -> str:
    """Return the response_token X expects for a CRC check."""
    return "sha256=" + base64.b64encode(_hmac_sha256(consumer_secret, crc_token.encode())).decode()


def x_crc_challenge(request: HttpRequest, *, consumer_secret: str) -> JsonResponse | None:
    """Answer X's challenge-response check (GET crc_token=…); None for any other request."""
    if request.method != "GET" or "crc_token" not in request.GET:
        return None
    return JsonResponse({"response_token": x_crc_response_token(request.GET["crc_token"], consumer_secret=consumer_secret)})


def x_signature_verify(request: HttpRequest, *, consumer_secret: str) -> None:
    """Check x-twitter-webhooks-signature on a POST from X; raise SignatureMissing/SignatureInvalid."""
    _signature_verify(request, header="X-Twitter-Webhooks-Signature", secret=consumer_secret,
                      encode=lambda digest: base64.b64encode(digest).decode())


def _signature_verify(request: HttpRequest, *, header: str, secret: str, encode) -> None:
    sent = request.headers.get(header, "")
    if not sent:
        raise SignatureMissing(f"The request carries no {header}.", extra={header: "required"})
    expected = "sha256=" + encode(_hmac_sha256(secret, request.body))
    if not secret or not constant_time_compare(sent, expected):
        raise SignatureInvalid(f"{header} does not match the body.", extra={header: "mismatch"})


def twilio_signature_verify(request: HttpRequest, *, auth_token: str, url: str) -> None:
    """Check X-Twilio-Signature with the `twilio` package's RequestValidator; raise SignatureMissing/SignatureInvalid.

    Twilio signs the URL it called (as configured in its console, so `url` is the public one,
    not what a proxy forwarded) followed by the POSTed form fields sorted by name.
    """
    from twilio.request_validator import RequestValidator

    sent = request.headers.get("X-Twilio-Signature")
    if not sent:
        # Twilio's dialect answers an unsigned request like a forged one: 403, nothing stored.
        raise SignatureInvalid("The request carries no X-Twilio-Signature.")
    params = request.POST.dict() if request.method == "POST" else {}
    if not auth_token or not RequestValidator(auth_token).validate(url, params, sent):
        raise SignatureInvalid("X-Twilio-Signature does not match this request.", extra={"url": url})
