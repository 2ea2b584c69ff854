"""The widget's HTTP: the script, the session endpoint's answers to bad input, and the demo shop."""
import json

import pytest

from chat_client import SHOP
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


def test_outside_the_business_hours_of_the_inboxs_routing_the_widget_says_nobody_is_online(client, chat_inbox, admin):
    from datetime import timedelta

    from django.utils import timezone

    from parley.accounts.services import agent_set_availability
    from parley.core import actors
    from parley.routing.services import calendar_save, holiday_add, routing_policy_save

    agent_set_availability(user=admin, availability="online", actor=actors.SYSTEM)
    every_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    calendar = calendar_save(actor=admin, name="Chat hours", time_zone="UTC", hours=every_day)
    routing_policy_save(actor=admin, strategy="manual", inbox=chat_inbox, calendar=calendar)
    assert _session(client, chat_inbox, {}).json()["online"] is True

    today = timezone.now().date()  # the calendar's (UTC) today, and tomorrow should the test cross midnight
    for day in (today, today + timedelta(days=1)):
        holiday_add(calendar=calendar, actor=admin, day=day, name="Closed")

    assert _session(client, chat_inbox, {}).json()["online"] is False


def test_the_demo_shop_embeds_the_first_chat_inbox(client, chat_inbox):
    page = client.get("/demo/shop/").content.decode()
    assert f'data-inbox="{chat_inbox.key}"' in page and "/chat/widget.js" in page
    assert client.get("/demo/shop/product/no-such-thing/").status_code == 404


def test_the_agent_sees_the_visitors_cart_and_order_and_can_transfer_the_chat_with_a_note(client, chat_inbox, agent, make_agent):
    from parley.accounts.models import Role
    from parley.channels.chat.services import chat_context_set, chat_message_post, chat_page_view, chat_session_open

    visitor = chat_session_open(inbox=chat_inbox, visitor=None, referrer="https://search.example/?q=socks",
                                user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148 Safari/604.1")
    chat_page_view(visitor=visitor, url="https://shop.example/cart", title="Your cart")
    chat_context_set(visitor=visitor, context={"cart": {"items": [{"name": "Merino wool socks", "qty": 2, "price": "14.50"}],
                                                        "total": "29.00", "currency": "EUR"},
                                               "order": {"id": "NW-1042", "status": "paid"}, "plan": "<b>pro</b>"})
    conversation = chat_message_post(visitor=visitor, text="Wrong size", client_id="1").conversation
    client.force_login(agent)

    page = client.get(f"/c/{conversation.pk}/").content.decode()
    card = page.split('aria-label="Chat visitor"')[1].split("</section>")[0]
    assert "Merino wool socks" in card and "29.00 EUR" in card and "NW-1042 · paid" in card
    assert "Your cart" in card and "search.example" in card and "Mobile · Safari" in card
    assert "&lt;b&gt;pro&lt;/b&gt;" in card
    token = card.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert len(token) >= 32

    ben = make_agent(Role.AGENT, name="Ben Okafor")
    response = client.post(f"/chat/c/{conversation.pk}/transfer/", {"assignee": str(ben.pk), "team": "nonsense",
                                                                    "note": "Exchange for size L"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == ben
    assert conversation.messages.filter(kind="note", text="Exchange for size L").exists()


@pytest.mark.parametrize("asks_for, inbox_language, said", [
    ("de-DE,de;q=0.9", "en", "Die Identität konnte nicht bestätigt werden: Ihr Hash stimmt nicht überein."),
    ("it", "es", "No se pudo verificar la identidad: su hash no coincide."),
])
def test_a_refused_widget_call_says_why_in_the_widgets_language(client, chat_inbox, asks_for, inbox_language, said):
    from parley.channels.services import inbox_update

    inbox_update(inbox=chat_inbox, actor=None, config={"language": inbox_language})

    response = client.post(f"/chat/{chat_inbox.key}/session/", data=json.dumps({"identity": {"id": "u-1", "hash": "00"}}),
                           content_type="text/plain", HTTP_ORIGIN=SHOP, HTTP_ACCEPT_LANGUAGE=asks_for)

    assert response.status_code == 403 and response.json()["message"] == said
    assert response.json()["extra"] == {"identity.hash": "does not match HMAC-SHA256(identity secret, id)"}
