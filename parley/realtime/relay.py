"""Carry domain events from a worker process to the web server when they share no channel layer.

On the embedded default the channel layer lives in the web server's memory, so a worker
(which processes inbound messages and delivers replies) cannot reach agents' sockets by
itself: it posts its events to the web server, which pushes them. With REDIS_URL every
process shares the layer and no relay is configured.
"""
import functools
import hashlib
import hmac
import json
import logging
import queue
import threading

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


#: Events posted together at most; a burst of processed messages becomes a few requests.
BATCH = 200
_outbox: queue.SimpleQueue = queue.SimpleQueue()


@functools.cache
def _start_sender() -> threading.Thread:
    sender = threading.Thread(target=_send_forever, name="parley-event-relay", daemon=True)
    sender.start()
    return sender


def _send_forever() -> None:
    # One connection, kept open: a new one per event cost the worker more than the event.
    with httpx.Client(timeout=RELAY_TIMEOUT_SECONDS) as http:
        while True:
            events = [_outbox.get()]
            while len(events) < BATCH and not _outbox.empty():
                events.append(_outbox.get())
            body = json.dumps({"events": events}).encode()
            try:
                http.post(settings.PARLEY_EVENT_RELAY_URL, content=body,
                          headers={"Content-Type": "application/json", SIGNATURE_HEADER: _signature(body)})
            except httpx.HTTPError as exc:
                # Live updates are a courtesy: the changes are committed and show on the agent's next load.
                logger.warning("could not relay %s events to the web server: %s", len(events), exc)


def relay_event(name: str, payload: dict) -> None:
    """Subscriber in a worker: hand the event to the web server, which pushes it to sockets.

    The job that published it does not wait: a sender thread posts what has gathered, in order.
    """
    _start_sender()
    _outbox.put({"event": name, "payload": payload})


@csrf_exempt
@require_POST
def receive_relayed_event(request):
    """Push the events a worker relayed (one, or a list under "events"); only a body signed with this install's key is accepted."""
    if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), _signature(request.body)):
        return JsonResponse({"message": "The relay signature does not match.", "extra": {}}, status=403)
    try:
        data = json.loads(request.body)
        events = data["events"] if "events" in data else [data]
        relayed = [(event["event"], event["payload"]) for event in events]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"message": "Expected JSON with event and payload, or a list of them under events.", "extra": {}},
                            status=400)
    for name, payload in relayed:
        if name not in EVENTS or not isinstance(payload, dict):
            return JsonResponse({"message": f"Unknown event {name!r}.", "extra": {"event": "unknown"}}, status=400)
    for name, payload in relayed:
        push_event(name, payload)
    return HttpResponse(status=204)
