"""What the SMS and voice channels share: the Twilio account settings, its REST API and its webhook dialect.

Parley speaks Twilio's documented wire format (form-encoded webhooks signed with
X-Twilio-Signature, TwiML answers, the 2010-04-01 REST API with Basic auth), which Telnyx,
SignalWire and others accept too; `api_base_url` points the REST calls at any of them.
"""
from __future__ import annotations

import httpx
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pydantic import Field, field_validator

from parley.channels.base import Address, DeliveryError
from parley.channels.config import ChannelConfig, secret
from parley.channels.handshakes import twilio_signature_verify
from parley.channels.models import Inbox
from parley.channels.webhooks import Webhook
from parley.core.phones import phone_e164

TWILIO_API = "https://api.twilio.com"
REST_TIMEOUT_SECONDS = 10


class TwilioAccountConfig(ChannelConfig):
    """The settings every Twilio-compatible inbox has: the account, its token and the inbox's number."""

    account_sid: str = Field(min_length=1, title="Account SID", description="starts with AC, from the provider's console")
    auth_token: str = secret(..., title="Auth token", description="signs the provider's webhooks and authorises Parley's API calls")
    number: str = Field(min_length=1, title="Phone number", description="the inbox's number, e.g. +1 415 555 0100")
    api_base_url: str = Field(TWILIO_API, title="API base URL",
                              description="the provider's REST API (Twilio, or a compatible provider such as SignalWire)")

    @field_validator("number")
    @classmethod
    def _e164(cls, number: str) -> str:
        e164 = phone_e164(number)
        if e164 is None:
            raise ValueError("is not a phone number")
        return e164

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return url.rstrip("/")


def plain_settings(inbox: Inbox) -> dict:
    """Return the inbox's decrypted settings, decrypting once per inbox object.

    A webhook reads them several times (the number, the token, the voice's language for every
    sentence) and each read of `inbox.settings` decrypts the secrets again; the seam loads the
    inbox afresh for every request, so nothing outlives the request.
    """
    if "_plain_settings" not in inbox.__dict__:
        inbox.__dict__["_plain_settings"] = inbox.settings
    return inbox.__dict__["_plain_settings"]


def number_address(config: dict) -> list[Address]:
    return [Address("phone", phone_e164(config["number"]), "number")]


def twiml(document) -> HttpResponse:
    """Answer with a TwiML document (a twilio.twiml VoiceResponse or MessagingResponse)."""
    return HttpResponse(str(document), content_type="text/xml")


class TwilioApi:
    """The provider's REST API for one inbox: POST a resource (Messages, Calls) as Twilio documents it."""

    def __init__(self, inbox_settings: dict):
        self.account_sid = inbox_settings["account_sid"]
        self.auth_token = inbox_settings["auth_token"]
        self.base_url = inbox_settings.get("api_base_url") or TWILIO_API

    def create(self, resource: str, data: dict) -> dict:
        """POST /2010-04-01/Accounts/<sid>/<resource>.json; raise DeliveryError (permanent for a 4xx other than 429)."""
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/{resource}.json"
        try:
            response = httpx.post(url, data=data, auth=(self.account_sid, self.auth_token), timeout=REST_TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"the provider's API is unreachable: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(f"the provider's API answered {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryError(f"the provider refused it: {self._problem(response)}", permanent=True)
        return response.json()

    def fetch(self, url: str) -> httpx.Response:
        """GET a media or recording URL the provider sent, with the account's credentials (HTTP auth may be on)."""
        response = httpx.get(url, auth=(self.account_sid, self.auth_token), timeout=REST_TIMEOUT_SECONDS,
                             follow_redirects=True)
        response.raise_for_status()
        return response

    @staticmethod
    def _problem(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return f"HTTP {response.status_code}"
        # Twilio's error body: {"code": 21610, "message": "...", "more_info": "...", "status": 400}
        return f"{body.get('message') or 'HTTP ' + str(response.status_code)} (error {body.get('code', response.status_code)})"


class UnknownNumber(Exception):
    """The number the provider names is no inbox's: answered 404 with a TwiML body the provider can play."""


class TwilioWebhook(Webhook):
    """A Twilio-dialect endpoint: the signature is checked against the public URL with the inbox's auth token.

    A channel-level endpoint finds its inbox by the number called or texted (`To`); a per-inbox
    one checks that `To` is the inbox's number. Either way an unknown number is a 404 whose body
    is TwiML, so the provider plays or sends something sensible instead of an application error.
    """

    kind: str
    #: Whether the request's To is a number of ours (inbound messages and calls); callbacks about an
    #: outbound message or call name the customer's number there instead.
    checks_number = True

    def __call__(self, request: HttpRequest, inbox: Inbox | None = None, **kwargs) -> HttpResponse:
        try:
            inbox = self.inbox_for(request, inbox)
        except UnknownNumber as exc:
            response = HttpResponse(self.unknown_number_twiml(), status=404, content_type="text/xml")
            # The body must stay TwiML the provider can act on; people debugging the console read the reason here.
            response["X-Parley-Error"] = str(exc)
            return response
        return self.handle(request, inbox, **kwargs)

    def handle(self, request: HttpRequest, inbox: Inbox, **kwargs) -> HttpResponse:
        """Verify, store and answer (Webhook's steps) once the inbox is known."""
        return super().__call__(request, inbox, **kwargs)

    def inbox_for(self, request: HttpRequest, inbox: Inbox | None) -> Inbox:
        from parley.channels.selectors import inbox_for

        called = phone_e164(request.POST.get("To", "")) if self.checks_number else None
        if inbox is None:
            found = inbox_for(kind="phone", address=called or "")
            if found is None or found.kind != self.kind:
                raise UnknownNumber(f"No {self.kind} inbox has the number {request.POST.get('To', '')!r}.")
            return found
        if self.checks_number and called != plain_settings(inbox)["number"]:
            raise UnknownNumber(f"{request.POST.get('To', '')!r} is not this inbox's number.")
        return inbox

    def unknown_number_twiml(self) -> str:
        from twilio.twiml.messaging_response import MessagingResponse

        return str(MessagingResponse())

    def verify(self, request: HttpRequest, inbox: Inbox | None, **kwargs) -> None:
        url = settings.PARLEY_BASE_URL.rstrip("/") + request.get_full_path()
        twilio_signature_verify(request, auth_token=plain_settings(inbox)["auth_token"], url=url)
