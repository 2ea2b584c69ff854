"""The workspace in headless Chromium against a real server: reply, live updates, presence, safety, phone width."""
import httpx
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.conversations.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_agent_replies_and_sees_an_api_message_arrive_without_reloading(live, page, agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "My order 42 has not arrived", source_id="shop-42", name="Nia Noor").conversation
    _, token = api_token_create(user=agent, name="shop backend")
    log_in(page, live, agent)

    page.get_by_role("link", name=f"#{conversation.pk}").first.click()
    expect(page.locator("#timeline")).to_contain_text("My order 42 has not arrived")
    page.get_by_label("Reply to the customer").fill("Sorry Nia, checking with the courier now.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#timeline .msg-out.kind-reply")).to_contain_text("Sorry Nia, checking with the courier now.")
    page.evaluate("window.__sameDocument = true")

    response = httpx.post(f"{live}/api/v1/inboxes/{api_inbox.pk}/messages", headers={"Authorization": f"Bearer {token}"},
                          json={"contact": {"source_id": "shop-42", "name": "Nia Noor"}, "text": "It just arrived, thanks!",
                                "idempotency_key": "arrived-42"})

    assert response.status_code == 202, response.text
    expect(page.locator("#timeline .msg-in").last).to_contain_text("It just arrived, thanks!")
    assert page.evaluate("window.__sameDocument") is True


def test_a_second_agent_on_the_same_conversation_shows_as_viewing(live, browser, page, make_agent, api_inbox, receive, log_in):
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    conversation = receive(api_inbox, "Can I change my plan?").conversation
    log_in(page, live, ana)
    page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("#presence")).to_be_hidden()

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        ben_page = other.new_page()
        log_in(ben_page, live, ben)
        ben_page.goto(f"{live}/c/{conversation.pk}/")

        expect(page.locator("#presence")).to_have_text("BOBen Okafor is viewing")
        expect(ben_page.locator("#presence")).to_contain_text("Ana Lopez is viewing")
        ben_page.close()
        expect(page.locator("#presence")).to_be_hidden()
    finally:
        other.close()


def test_script_in_a_customer_message_never_runs(live, page, agent, api_inbox, receive, log_in):
    hostile = '<p>Hello</p><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    message = receive(api_inbox, "Hello", html=hostile)
    # The strictest case: a row holding the raw HTML, as if written past the storage-time sanitizer.
    Message.objects.filter(pk=message.pk).update(html=hostile)
    log_in(page, live, agent)

    page.goto(f"{live}/c/{message.conversation_id}/")

    expect(page.locator(f"#message-{message.pk} .msg-body")).to_contain_text("Hello")
    expect(page.locator(f"#message-{message.pk} img")).to_have_count(1)
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_at_phone_width_the_composer_fits_without_sideways_scrolling(live, browser, agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "A long question " * 30, subject="Trouble with a very long subject line that wraps").conversation
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        log_in(phone, live, agent)
        phone.goto(f"{live}/c/{conversation.pk}/")

        composer, send = phone.get_by_label("Reply to the customer"), phone.get_by_role("button", name="Send reply")
        send.scroll_into_view_if_needed()
        expect(composer).to_be_visible()
        expect(send).to_be_in_viewport()
        for box in (composer.bounding_box(), send.bounding_box()):
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.goto(f"{live}/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
