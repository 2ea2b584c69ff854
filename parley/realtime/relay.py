"""Carry domain events from a worker process to the web server when they share no channel layer.

On the embedded default the channel layer lives in the web server's memory, so a worker
(which processes inbound messages and delivers replies) cannot reach agents' sockets by
itself: it posts each event to the web server, which pushes it. With REDIS_URL every
process shares the layer and no relay is configured.
"""
import functools
import hashlib
import hmac
import json
import logging

import httpx
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from parley.core.events import EVENTS
from parley.realtime.push import push_event

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Parley-Relay-Signature"
RELAY_TIMEOUT_SECONDS = 5


def _signature(body: bytes) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), body, hashlib.sha256).hexdigest()


@functools.cache
def _http() -> httpx.Client:
    # One client for the process: it keeps its connection to the web server open between events
    # (a new connection per event cost the worker more than the event). It is safe across threads.
    return httpx.Client(timeout=RELAY_TIMEOUT_SECONDS)


def relay_event(name: str, payload: dict) -> None:
    """Subscriber in a worker: hand the event to the web server, which pushes it to sockets."""
    body = json.dumps({"event": name, "payload": payload}).encode()
    try:
        _http().post(settings.PARLEY_EVENT_RELAY_URL, content=body,
                     headers={"Content-Type": "application/json", SIGNATURE_HEADER: _signature(body)})
    except httpx.HTTPError as exc:
        # Live updates are a courtesy: the change is committed and shows on the agent's next load.
        logger.warning("could not relay %s to the web server: %s", name, exc)


@csrf_exempt
@require_POST
def receive_relayed_event(request):
    """Push an event a worker relayed; only a body signed with this install's secret key is accepted."""
    if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), _signature(request.body)):
        return JsonResponse({"message": "The relay signature does not match.", "extra": {}}, status=403)
    try:
        data = json.loads(request.body)
        name, payload = data["event"], data["payload"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"message": "Expected JSON with event and payload.", "extra": {}}, status=400)
    if name not in EVENTS or not isinstance(payload, dict):
        return JsonResponse({"message": f"Unknown event {name!r}.", "extra": {"event": "unknown"}}, status=400)
    push_event(name, payload)
    return HttpResponse(status=204)
