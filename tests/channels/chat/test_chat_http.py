"""The widget's HTTP: the script, the session endpoint's answers to bad input, and the demo shop."""
import json

import pytest

from conftest import SHOP
from parley.channels.chat.models import ChatVisitor


def _session(client, inbox, body, origin=SHOP):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"/chat/{inbox.key}/session/", data=data, content_type="text/plain", HTTP_ORIGIN=origin)


def test_the_widget_script_is_served_as_javascript_to_any_site(client):
    response = client.get("/chat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"attachShadow" in response.content and b"innerHTML" not in response.content


def test_a_preflight_from_an_allowed_site_is_answered_for_that_site_only(client, chat_inbox):
    allowed = client.options(f"/chat/{chat_inbox.key}/session/", HTTP_ORIGIN=SHOP)
    refused = client.options(f"/chat/{chat_inbox.key}/session/", HTTP_ORIGIN="https://evil.example")
    assert allowed.status_code == 204 and allowed["Access-Control-Allow-Origin"] == SHOP
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "JSON object"),
    ([1, 2], 400, "JSON object"),
    ({"identity": "u-1"}, 400, "identity must be an object"),
    ({"identity": {"id": "u-1", "hash": "00"}}, 403, "could not be verified"),
    ({"referrer": "x" * 9000}, 413, "larger than"),
])
def test_bad_session_requests_get_a_clear_error_and_make_no_visitor(client, chat_inbox, body, status, words):
    response = _session(client, chat_inbox, body)
    assert response.status_code == status
    assert words in response.json()["message"]
    assert response["Access-Control-Allow-Origin"] == SHOP  # the widget can read why
    assert not ChatVisitor.objects.exists()


def test_an_unknown_inbox_is_a_404(client, db):
    response = client.post("/chat/no-such-key/session/", data="{}", content_type="text/plain", HTTP_ORIGIN=SHOP)
    assert response.status_code == 404 and response.json()["message"] == "No such chat."


def test_a_session_answers_the_inbox_look_and_whether_someone_is_online(client, chat_inbox, agent):
    first = _session(client, chat_inbox, {}).json()
    assert first["online"] is False and first["config"]["greeting"] == "Hi! Ask us anything."
    assert first["socket"] == f"/ws/chat/{chat_inbox.key}/"
    again = _session(client, chat_inbox, {"token": first["token"]}).json()
    assert again["token"] == first["token"] and ChatVisitor.objects.count() == 1


def test_the_demo_shop_embeds_the_first_chat_inbox(client, chat_inbox):
    page = client.get("/demo/shop/").content.decode()
    assert f'data-inbox="{chat_inbox.key}"' in page and "/chat/widget.js" in page
    assert client.get("/demo/shop/product/no-such-thing/").status_code == 404
