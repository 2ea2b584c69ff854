import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings


def signed(body: dict, key: str | None = None) -> tuple[bytes, str]:
    raw = json.dumps(body).encode()
    return raw, hmac.new((key or settings.SECRET_KEY).encode(), raw, hashlib.sha256).hexdigest()


def test_a_relayed_event_signed_with_the_install_key_is_accepted(client):
    raw, signature = signed({"event": "conversation.updated", "payload": {"conversation_id": 1, "changes": {}, "actor_id": None}})

    # The accepted event is pushed with async_to_sync, which refuses to run on a thread with a running
    # event loop, as the main thread has once a browser test started Playwright in this session.
    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(client.post, "/internal/events/", raw, content_type="application/json",
                               HTTP_X_PARLEY_RELAY_SIGNATURE=signature).result()

    assert response.status_code == 204


def test_a_relayed_event_with_a_forged_signature_is_refused(client):
    raw, signature = signed({"event": "conversation.updated", "payload": {"conversation_id": 1}}, key="someone else's key")

    response = client.post("/internal/events/", raw, content_type="application/json", HTTP_X_PARLEY_RELAY_SIGNATURE=signature)

    assert response.status_code == 403
    assert "signature" in response.json()["message"]


def test_an_unknown_relayed_event_is_refused(client):
    raw, signature = signed({"event": "conversation.exploded", "payload": {}})

    response = client.post("/internal/events/", raw, content_type="application/json", HTTP_X_PARLEY_RELAY_SIGNATURE=signature)

    assert response.status_code == 400


def test_relayed_events_sent_together_are_all_accepted(client):
    events = [{"event": "conversation.updated", "payload": {"conversation_id": n, "changes": {}, "actor_id": None}} for n in (1, 2)]
    raw, signature = signed({"events": events})

    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(client.post, "/internal/events/", raw, content_type="application/json",
                               HTTP_X_PARLEY_RELAY_SIGNATURE=signature).result()

    assert response.status_code == 204


def test_a_list_of_relayed_events_with_one_unknown_event_is_refused(client):
    events = [{"event": "conversation.updated", "payload": {"conversation_id": 1}}, {"event": "conversation.exploded", "payload": {}}]
    raw, signature = signed({"events": events})

    response = client.post("/internal/events/", raw, content_type="application/json", HTTP_X_PARLEY_RELAY_SIGNATURE=signature)

    assert response.status_code == 400
    assert "conversation.exploded" in response.json()["message"]
