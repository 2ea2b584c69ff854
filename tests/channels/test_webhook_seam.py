"""The webhook seam: an adapter's declared endpoints answer under /channels/ with no URL-file edit."""
import json
import time

import pytest
from django.conf import settings
from pigeon import SECRET, VERIFY_TOKEN, pigeon_signature

from parley.channels.models import InboundEnvelope, Inbox
from parley.channels.services import inbox_update
from parley.channels.webhooks import endpoint_urls
from parley.conversations.models import Conversation


def updates_url(inbox) -> str:
    return f"/channels/pigeon/{inbox.key}/updates/"


def post_signed(client, url, body: dict, *, secret=SECRET, headers=None):
    raw = json.dumps(body).encode()
    return client.post(url, raw, content_type="application/json",
                       headers={"X-Pigeon-Signature": pigeon_signature(secret, raw), **(headers or {})})


def message_batch(batch_id="b-1", text="My parcel never came"):
    return {"batch_id": batch_id, "events": [
        {"type": "message", "id": f"{batch_id}-m1", "from": "pigeon:rita", "name": "Rita Ruiz", "text": text}]}


def test_a_signed_update_to_an_inbox_url_is_stored_once_and_becomes_a_conversation(client, pigeon_inbox, on_commit):
    with on_commit():
        first = post_signed(client, updates_url(pigeon_inbox), message_batch())
        again = post_signed(client, updates_url(pigeon_inbox), message_batch())

    assert first.status_code == 200 and again.status_code == 200
    assert InboundEnvelope.objects.get().external_id == "b-1"
    conversation = Conversation.objects.get(inbox=pigeon_inbox)
    assert conversation.contact.name == "Rita Ruiz"
    assert [m.text for m in conversation.messages.all()] == ["My parcel never came"]


def test_an_update_with_a_forged_signature_is_refused_with_403_and_nothing_stored(client, pigeon_inbox):
    response = post_signed(client, updates_url(pigeon_inbox), message_batch(), secret="a guess")

    assert response.status_code == 403
    assert response.json()["message"] == "X-Pigeon-Signature does not match the body."
    assert not InboundEnvelope.objects.exists()


def test_an_unsigned_update_is_refused_with_401_and_nothing_stored(client, pigeon_inbox):
    response = client.post(updates_url(pigeon_inbox), json.dumps(message_batch()), content_type="application/json")

    assert response.status_code == 401 and "X-Pigeon-Signature" in response.json()["message"]
    assert not InboundEnvelope.objects.exists()


def test_a_signed_body_that_is_not_json_is_refused_with_400(client, pigeon_inbox):
    raw = b"<not json>"
    response = client.post(updates_url(pigeon_inbox), raw, content_type="application/json",
                           headers={"X-Pigeon-Signature": pigeon_signature(SECRET, raw)})

    assert response.status_code == 400 and response.json()["message"] == "The body is not valid JSON."
    assert not InboundEnvelope.objects.exists()


def test_the_providers_verification_request_is_answered_with_its_challenge(client, pigeon_inbox):
    response = client.get(updates_url(pigeon_inbox), {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                                                      "hub.challenge": "1158201444"})
    forged = client.get(updates_url(pigeon_inbox), {"hub.mode": "subscribe", "hub.verify_token": "guess",
                                                    "hub.challenge": "1158201444"})

    assert response.status_code == 200 and response.content == b"1158201444"
    assert forged.status_code == 403 and b"1158201444" not in forged.content


def test_a_call_is_stored_and_answered_in_the_same_request(client, pigeon_inbox):
    menu = post_signed(client, f"/channels/pigeon/{pigeon_inbox.key}/ring/", {"call_id": "call-1", "from": "pigeon:rita"})
    choice = post_signed(client, f"/channels/pigeon/{pigeon_inbox.key}/ring/",
                         {"call_id": "call-2", "from": "pigeon:rita", "digits": "1"})

    assert menu.status_code == 200 and menu["Content-Type"] == "text/xml"
    assert menu.content.decode() == "<Response><Say>Welcome to Pigeon loft. Press 1 for sales.</Say></Response>"
    assert choice.content.decode() == "<Response><Say>Connecting you to sales.</Say></Response>"
    assert sorted(InboundEnvelope.objects.values_list("external_id", flat=True)) == ["call-1", "call-2"]


def test_a_channel_level_endpoint_finds_the_inbox_from_the_payload(client, pigeon_inbox):
    response = post_signed(client, "/channels/pigeon/status/",
                           {"account": "AC-1", "event_id": "ev-1", "type": "status", "message_id": "pg-1", "status": "read"})
    stranger = post_signed(client, "/channels/pigeon/status/",
                           {"account": "AC-9", "event_id": "ev-2", "type": "status", "message_id": "pg-1", "status": "read"})

    assert response.status_code == 200
    assert InboundEnvelope.objects.get().inbox == pigeon_inbox
    assert stranger.status_code == 404 and stranger.json()["extra"] == {"account": "unknown"}


@pytest.mark.parametrize(("url", "extra"), [
    ("/channels/carrier-owl/anything/", {"kind": "unknown"}),
    ("/channels/pigeon/nest/", {"path": "nest/"}),
    ("/channels/pigeon/not-a-key/updates/", {"inbox": "unknown"}),
], ids=["unknown-kind", "unknown-path", "unknown-inbox-key"])
def test_an_address_nothing_answers_is_a_json_404_and_stores_nothing(client, pigeon_inbox, url, extra):
    response = post_signed(client, url, message_batch())

    assert response.status_code == 404 and response.json()["extra"] == extra
    assert not InboundEnvelope.objects.exists()


def test_a_deactivated_inbox_takes_nothing(client, pigeon_inbox, admin):
    inbox_update(inbox=pigeon_inbox, actor=admin, is_active=False)

    response = post_signed(client, updates_url(pigeon_inbox), message_batch())

    assert response.status_code == 404
    assert not InboundEnvelope.objects.exists()


def test_an_inbox_deactivated_after_taking_webhooks_takes_nothing_more(client, pigeon_inbox, admin):
    assert post_signed(client, updates_url(pigeon_inbox), message_batch()).status_code == 200

    inbox_update(inbox=pigeon_inbox, actor=admin, is_active=False)
    response = post_signed(client, updates_url(pigeon_inbox), message_batch(batch_id="b-2"))

    assert response.status_code == 404
    assert InboundEnvelope.objects.count() == 1


def test_an_inbox_deactivated_by_another_process_takes_nothing_once_this_ones_copy_expires(client, pigeon_inbox, monkeypatch):
    from parley.channels import selectors

    assert post_signed(client, updates_url(pigeon_inbox), message_batch()).status_code == 200
    Inbox.objects.filter(pk=pigeon_inbox.pk).update(is_active=False)  # what another process's save looks like from here
    later = time.monotonic() + settings.PARLEY_KEPT_SECONDS + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)

    response = post_signed(client, updates_url(pigeon_inbox), message_batch(batch_id="b-2"))

    assert response.status_code == 404
    assert InboundEnvelope.objects.count() == 1


def test_a_method_the_endpoint_does_not_declare_is_a_json_405(client, pigeon_inbox):
    response = client.get(f"/channels/pigeon/{pigeon_inbox.key}/ring/")

    assert response.status_code == 405
    assert response["Allow"] == "POST" and response.json()["extra"] == {"allowed": ["POST"]}


def test_every_inbox_gets_its_own_unguessable_key_and_urls(pigeon_inbox, settings):
    from parley.channels.services import inbox_create

    other = inbox_create(name="Second loft", kind="pigeon", config={"secret": "s", "verify_token": "t", "account": "AC-2"})

    assert pigeon_inbox.key != other.key and len(pigeon_inbox.key) >= 20
    assert endpoint_urls(pigeon_inbox) == [f"{settings.PARLEY_BASE_URL}/channels/pigeon/{pigeon_inbox.key}/updates/",
                                           f"{settings.PARLEY_BASE_URL}/channels/pigeon/{pigeon_inbox.key}/ring/"]


def test_one_inboxs_key_does_not_open_another_inbox(client, pigeon_inbox):
    from parley.channels.services import inbox_create

    other = inbox_create(name="Second loft", kind="pigeon", config={"secret": "other-secret", "verify_token": "t", "account": "AC-3"})

    # Signed with the first inbox's secret, posted to the second inbox's URL.
    response = post_signed(client, updates_url(other), message_batch())

    assert response.status_code == 403
    assert not InboundEnvelope.objects.exists()


def test_the_email_channel_answers_on_the_same_seam_without_a_url_of_its_own(client):
    response = client.get("/channels/email/inbound/postmark/")

    assert response.status_code == 405 and response.json()["extra"] == {"allowed": ["POST", "HEAD"]}


def test_the_inboxes_api_tells_an_admin_where_the_provider_should_call(pigeon_inbox, admin, api_as, settings):
    response = api_as(admin).get(f"/inboxes/{pigeon_inbox.pk}")

    body = response.json()
    assert body["key"] == pigeon_inbox.key
    assert body["webhook_urls"][0] == f"{settings.PARLEY_BASE_URL}/channels/pigeon/{pigeon_inbox.key}/updates/"
