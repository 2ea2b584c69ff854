"""The webhook seam: one route mounts every channel's inbound HTTP endpoints.

`/channels/<kind>/<path>` reaches a channel-level endpoint of the adapter registered for
`kind` (the payload names the inbox, as an email's recipient does); `/channels/<kind>/<inbox
key>/<path>` reaches a per-inbox endpoint of the active inbox with that public key. The
adapter registry is read at request time, so registering an adapter mounts its endpoints
with no edit to a URL file.

`Webhook` is the base of an endpoint: answer a handshake, verify the signature, store the
payloads as envelopes (in one transaction: all or nothing) and answer what the provider
expects, which may be computed in the request (TwiML for a call).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from parley.channels.base import ChannelAdapter, Endpoint
from parley.channels.models import InboundEnvelope, Inbox
from parley.channels.registry import get_adapter
from parley.channels.selectors import active_inbox_by_key
from parley.core.errors import ApplicationError
from parley.ratelimit.services import RateLimited, client_ip, rate_limit_hit, rate_limit_wait, rate_of


class SignatureInvalid(ApplicationError):
    """Raise from a webhook when the request is not from the provider: answered 403, nothing stored."""

    status = 403


class SignatureMissing(SignatureInvalid):
    """Raise when the request carries no signature or credentials at all: answered 401."""

    status = 401


def error_response(message: str, *, status: int, extra: dict | None = None) -> JsonResponse:
    return JsonResponse({"message": message, "extra": extra or {}}, status=status)


@dataclass(frozen=True)
class Incoming:
    """One payload a webhook stores: its provider id, and JSON and/or raw bytes; `inbox` when not the endpoint's own."""

    external_id: str
    payload: dict | None = None
    raw: bytes | None = None
    inbox: Inbox | None = None


class Webhook:
    """Base of an inbound endpoint: handshake, verify, store, respond. Instances are Endpoint views.

    Override `verify` (raise SignatureInvalid), `handshake` (return a response to a
    provider's verification request, or None), `incoming` (what to store) and, for a
    provider that needs more than "200 OK", `respond`.
    """

    def __call__(self, request: HttpRequest, inbox: Inbox | None = None, **kwargs) -> HttpResponse:
        answer = self.handshake(request, inbox, **kwargs)
        if answer is not None:
            return answer
        self.verify(request, inbox, **kwargs)
        with transaction.atomic():
            # A provider retries a failed request whole; storing all or nothing keeps a retry simple.
            stored = [self.store(item, inbox) for item in self.incoming(request, inbox, **kwargs)]
        return self.respond(request, inbox, stored, **kwargs)

    def handshake(self, request: HttpRequest, inbox: Inbox | None, **kwargs) -> HttpResponse | None:
        """Answer a provider's verification request (see parley.channels.handshakes), or return None."""
        return None

    def verify(self, request: HttpRequest, inbox: Inbox | None, **kwargs) -> None:
        """Raise SignatureInvalid unless the request comes from the provider."""
        raise NotImplementedError("a webhook must check who is calling")

    def incoming(self, request: HttpRequest, inbox: Inbox | None, **kwargs) -> list[Incoming]:
        """Return the payloads of the request to store as envelopes."""
        raise NotImplementedError

    def respond(self, request: HttpRequest, inbox: Inbox | None, stored: list[InboundEnvelope], **kwargs) -> HttpResponse:
        """Return the provider's expected answer; by default 200 with how many envelopes were stored."""
        return JsonResponse({"received": len(stored)})

    @staticmethod
    def store(item: Incoming, inbox: Inbox | None) -> InboundEnvelope:
        from parley.channels.services import envelope_store

        target = item.inbox or inbox
        if target is None:
            raise ApplicationError("The payload names no inbox.", extra={"inbox": "unknown"}, status=404)
        return envelope_store(inbox=target, external_id=item.external_id, payload=item.payload, raw=item.raw)[0]

    @staticmethod
    def json_body(request: HttpRequest) -> dict | list:
        """Return the request's JSON body, refusing anything else with a clear 400."""
        try:
            return json.loads(request.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApplicationError("The body is not valid JSON.", extra={"body": str(exc)}, status=400) from None


@lru_cache(maxsize=None)
def _routes(adapter: ChannelAdapter) -> tuple[tuple[URLPattern, Endpoint], ...]:
    """Compile an adapter's endpoints once (adapters are registered once per process)."""
    return tuple((path(endpoint.path, endpoint.view), endpoint) for endpoint in adapter.endpoints())


def _match(adapter: ChannelAdapter, rest: str, *, per_inbox: bool):
    for pattern, endpoint in _routes(adapter):
        if endpoint.per_inbox == per_inbox:
            match = pattern.resolve(rest)
            if match is not None:
                return endpoint, match.kwargs
    return None, {}


def _call(request: HttpRequest, endpoint: Endpoint, kwargs: dict) -> HttpResponse:
    if request.method not in endpoint.methods:
        response = error_response(f"This endpoint does not answer {request.method}.", status=405,
                                  extra={"allowed": list(endpoint.methods)})
        response["Allow"] = ", ".join(endpoint.methods)
        return response
    # Requests refused for their signature or credentials are counted per address: a flood of forgeries is
    # answered 429 before any signature is checked.
    caller, rate = client_ip(request), rate_of("PARLEY_RATE_WEBHOOK")
    try:
        rate_limit_wait(scope="webhook", subject=caller, rate=rate, what="requests with a wrong signature")
        response = endpoint.view(request, **kwargs)
    except RateLimited as exc:
        response = error_response(exc.message, status=exc.status, extra=exc.extra)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ApplicationError as exc:
        response = error_response(exc.message, status=exc.status, extra=exc.extra)
    if response.status_code in (401, 403):
        rate_limit_hit(scope="webhook", subject=caller, rate=rate)
    return response


@csrf_exempt  # providers post without a CSRF token: every endpoint checks the provider's signature instead
def channel_webhook(request: HttpRequest, kind: str, rest: str) -> HttpResponse:
    """Route a request under /channels/<kind>/ to the endpoint its adapter declares, or answer 404/405 in JSON."""
    try:
        adapter = get_adapter(kind)
    except LookupError:
        return error_response(f"There is no {kind!r} channel.", status=404, extra={"kind": "unknown"})
    endpoint, kwargs = _match(adapter, rest, per_inbox=False)
    if endpoint is not None:
        return _call(request, endpoint, kwargs)
    key, _, inbox_rest = rest.partition("/")
    endpoint, kwargs = _match(adapter, inbox_rest, per_inbox=True)
    if endpoint is None:
        return error_response(f"The {adapter.label} channel has no endpoint here.", status=404, extra={"path": rest})
    inbox = active_inbox_by_key(kind=kind, key=key)
    if inbox is None:
        return error_response(f"No active {adapter.label} inbox has this key.", status=404, extra={"inbox": "unknown"})
    return _call(request, endpoint, {**kwargs, "inbox": inbox})


def endpoint_urls(inbox: Inbox) -> list[str]:
    """Return the absolute URLs of an inbox's per-inbox endpoints, to paste into the provider's console."""
    base = settings.PARLEY_BASE_URL.rstrip("/")
    return [f"{base}/channels/{inbox.kind}/{inbox.key}/{endpoint.path}"
            for endpoint in inbox.adapter.endpoints() if endpoint.per_inbox]
