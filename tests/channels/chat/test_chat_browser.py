"""The widget in headless Chromium: the demo shop embeds it, a visitor chats with an agent in the workspace."""
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from chat_client import IDENTITY_SECRET, as_agent, widget
from parley.accounts.services import agent_set_availability
from parley.channels.chat.selectors import visitor_is_connected
from parley.channels.chat.services import identity_hash
from parley.channels.services import inbox_update
from parley.contacts.services import contact_resolve_identity
from parley.conversations.models import Conversation
from parley.conversations.services import message_reply

pytestmark = [pytest.mark.browser, pytest.mark.servers]

HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


def test_a_shop_visitor_chats_with_an_agent_who_sees_the_cart_and_replies_live(parley_server, browser, page, chat_inbox, agent):
    agent_set_availability(user=agent, availability="online")
    desk_context = as_agent(browser, parley_server, agent)
    try:
        desk = desk_context.new_page()
        desk.goto(f"{parley_server}/")
        expect(desk.locator("body")).to_have_attribute("data-live", "on")

        page.goto(f"{parley_server}/demo/shop/")
        page.get_by_role("button", name="Add to cart").first.click()
        widget(page).get_by_role("button", name="Open chat").click()
        expect(widget(page).locator(".greeting")).to_have_text("Hi! Ask us anything.")
        widget(page).get_by_label("Write a message…").fill("Do the trail shoes run small? " + HOSTILE)
        widget(page).get_by_role("button", name="Send").click()
        expect(widget(page).locator(".msg.visitor[data-id]")).to_contain_text("Do the trail shoes run small?")

        # The chat arrives live in the agent's list, with the tab's title counting it.
        row = desk.locator("#conversation-list li.row").filter(has_text="Do the trail shoes run small?")
        expect(row).to_be_visible()
        expect(desk).to_have_title("(1) " + desk.title().split(") ", 1)[-1])
        expect(desk.locator("#chat-badge")).to_have_text("1")
        row.locator("a").first.click()
        expect(desk.locator("#timeline")).to_contain_text(HOSTILE)
        card = desk.locator(".chat-visitor")
        expect(card.locator("table.cart")).to_contain_text("Trail running shoes")
        expect(card.locator(".cart-total")).to_contain_text("89.00 EUR")
        expect(card).to_contain_text("Now on")

        product = f"{parley_server}/demo/shop/product/trail-shoes/"
        desk.get_by_label("Reply to the customer").fill(f"They run true to size. <b>Promise</b> {product}")
        desk.get_by_role("button", name="Send reply").click()
        expect(widget(page).locator(".msg.agent[data-id]")).to_contain_text("They run true to size. <b>Promise</b>")
        expect(widget(page).locator(".msg.agent b")).to_have_count(0)
        expect(widget(page).locator(".msg.agent a")).to_have_attribute("href", product)

        page.reload()
        widget(page).get_by_role("button", name="Open chat").click()
        expect(widget(page).locator(".msg[data-id]")).to_have_count(2)
        expect(widget(page).locator(".msg.agent[data-id]")).to_contain_text("They run true to size.")
        assert page.evaluate("window.__pwned") is None
        assert desk.evaluate("window.__pwned") is None
    finally:
        desk_context.close()


def test_with_no_agent_online_the_widget_collects_an_email_and_the_reply_goes_there(parley_server, page, chat_inbox, agent):
    page.goto(f"{parley_server}/demo/shop/")
    widget(page).get_by_role("button", name="Open chat").click()
    expect(widget(page)).to_contain_text("No one is available right now")
    widget(page).get_by_label("Your email").fill("nia@example.com")
    widget(page).get_by_role("button", name="Save").click()
    expect(widget(page)).to_contain_text("we will answer at nia@example.com")
    widget(page).get_by_label("Write a message…").fill("Can I return worn socks?")
    widget(page).get_by_role("button", name="Send").click()
    expect(widget(page).locator(".msg.visitor[data-id]")).to_be_visible()
    page.close()  # the visitor leaves
    conversation = Conversation.objects.get(inbox=chat_inbox)
    _wait_until_the_server_sees_the_widget_closed(chat_inbox, conversation.contact_id)

    assert conversation.contact.email == "nia@example.com"
    message_reply(conversation=conversation, author=agent, text="Unworn ones, within 30 days.")

    assert [m.to for m in mail.outbox] == [["nia@example.com"]]
    assert "Unworn ones, within 30 days." in mail.outbox[0].body


def _wait_until_the_server_sees_the_widget_closed(inbox, contact_id):
    # Closing the tab ends the socket at once here, but the server hears of it a moment later.
    deadline = time.monotonic() + 30
    while visitor_is_connected(inbox=inbox, contact_id=contact_id, now=timezone.now()):
        assert time.monotonic() < deadline, "the server still counts the closed widget as open"
        time.sleep(0.05)


@pytest.fixture
def host_site():
    """Another site on loopback (its own port, so its own origin) whose pages embed the widget: yields (origin, pages)."""
    import http.server
    import threading

    pages: dict[str, str] = {}

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()


def _host_page(page, site, base, inbox, path, identity):
    """Open a page of the host site that passes its logged-in user to the widget."""
    import json

    origin, pages = site
    pages[path] = (f"<!doctype html><title>Account</title><script>window.ParleySettings = {{identity: {json.dumps(identity)}}};</script>"
                   f'<script src="{base}/chat/widget.js" data-inbox="{inbox.key}" async></script>')
    page.goto(origin + path)


def test_a_verified_user_is_linked_to_their_contact_and_a_forged_hash_is_refused(parley_server, browser, chat_inbox, admin, host_site):
    inbox_update(inbox=chat_inbox, actor=admin, config={"allowed_origins": [host_site[0]]})
    known = contact_resolve_identity(inbox=chat_inbox, kind="external_id", source_id="u-42", name="Nia Noor")
    contexts = [browser.new_context(), browser.new_context()]
    try:
        honest, forger = (context.new_page() for context in contexts)
        _host_page(honest, host_site, parley_server, chat_inbox, "/honest", {"id": "u-42", "email": "nia@example.com", "name": "Nia Noor",
                                                        "hash": identity_hash(secret=IDENTITY_SECRET, user_id="u-42")})
        widget(honest).get_by_role("button", name="Open chat").click()
        widget(honest).get_by_label("Write a message…").fill("Where is my order?")
        widget(honest).get_by_role("button", name="Send").click()
        expect(widget(honest).locator(".msg.visitor[data-id]")).to_be_visible()
        assert Conversation.objects.get(inbox=chat_inbox).contact == known

        _host_page(forger, host_site, parley_server, chat_inbox, "/forged", {"id": "u-42", "email": "nia@example.com", "hash": "0" * 64})
        widget(forger).get_by_role("button", name="Open chat").click()
        expect(widget(forger)).to_contain_text("The identity could not be verified")
        expect(widget(forger).get_by_label("Write a message…")).to_be_hidden()
    finally:
        for context in contexts:
            context.close()


def test_on_a_phone_the_checkout_greets_once_a_day_asks_for_details_first_and_counts_unread_replies(
        parley_server, browser, chat_inbox, admin, agent):
    from chat_client import agent_reply
    from parley.accounts.services import api_token_create

    inbox_update(inbox=chat_inbox, actor=admin, config={
        "prechat_form": True, "proactive_message": "Questions about delivery? We're here.", "proactive_delay_seconds": 1,
        "proactive_paths": ["/demo/shop/checkout/"]})
    agent_set_availability(user=agent, availability="online")
    _, api_token = api_token_create(user=agent, name="desk")
    phone = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True)
    try:
        page = phone.new_page()
        page.goto(f"{parley_server}/demo/shop/")
        page.wait_for_timeout(1500)
        expect(widget(page).locator(".greet")).to_have_count(0)  # not a checkout page
        page.goto(f"{parley_server}/demo/shop/checkout/")
        expect(widget(page).locator(".greet")).to_have_text("Questions about delivery? We're here.")
        page.reload()
        page.wait_for_timeout(2500)
        expect(widget(page).locator(".greet")).to_have_count(0)  # once per visitor per day

        widget(page).get_by_role("button", name="Open chat").click()
        panel = widget(page).get_by_role("dialog")
        assert panel.bounding_box()["width"] == 375  # full screen on a phone
        expect(widget(page).get_by_label("Write a message…")).to_be_hidden()
        widget(page).get_by_label("Your name").fill("Nia Noor")
        widget(page).get_by_label("Your email").fill("nia@example.com")
        widget(page).get_by_role("button", name="Start chat").click()
        widget(page).get_by_label("Write a message…").fill("Will it arrive by Friday?")
        widget(page).get_by_role("button", name="Send").click()
        expect(widget(page).locator(".msg.visitor[data-id]")).to_be_visible()
        widget(page).get_by_role("button", name="Close").click()

        conversation = Conversation.objects.get(inbox=chat_inbox)
        assert (conversation.contact.name, conversation.contact.email) == ("Nia Noor", "nia@example.com")
        agent_reply(parley_server, api_token, conversation.pk, "Yes, Thursday.")
        expect(widget(page).locator(".badge")).to_have_text("1")
        expect(page).to_have_title("(1) Checkout · demo shop")
    finally:
        phone.close()
