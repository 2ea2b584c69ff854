"""The workspace in headless Chromium against a real server: reply, live updates, presence, safety, phone width, customers, profile."""
import httpx
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import api_token_create
from parley.contacts.models import Organization
from parley.contacts.services import contact_update
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


def test_an_agent_finds_a_customer_from_the_sidebar_and_corrects_their_phone(live, page, agent, api_inbox, webform_inbox, receive, log_in):
    rita = receive(api_inbox, "Where is order 77?", kind="email", source_id="rita@shop.test", email="rita@shop.test",
                   name="Rita Ruiz", subject="Order 77").conversation.contact
    receive(webform_inbox, "Invoice 77 is wrong", kind="email", source_id="rita@shop.test", email="rita@shop.test", subject="Invoice 77")
    contact_update(contact=rita, organization=Organization.objects.create(name="Ruiz Ceramics"))
    receive(api_inbox, "Hello", source_id="omar", name="Omar Haddad")
    log_in(page, live, agent)

    page.get_by_role("link", name="Customers").click()
    expect(page.locator("#customer-list tbody tr")).to_have_count(2)
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Search customers").fill("ceramics")
    expect(page.locator("#customer-list tbody tr")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    page.get_by_role("link", name="Rita Ruiz").click()

    customer = page.get_by_role("region", name="Customer")
    expect(customer.locator(".past li")).to_have_count(2)
    expect(customer.locator(".identities")).to_contain_text("in Contact form")
    expect(customer.locator(".history")).to_contain_text("Invoice 77 is wrong")
    page.get_by_label("Phone").fill("call me")
    page.get_by_role("button", name="Save customer").click()
    expect(page.get_by_role("alert")).to_have_text("Phone: A phone number has digits, spaces, + - ( ) . / only.")
    page.get_by_label("Phone").fill("+34 600 111 222")
    page.get_by_role("button", name="Save customer").click()
    # Stored in E.164, shown grouped the way Spain writes numbers.
    expect(customer.locator(".facts")).to_contain_text("+34 600 11 12 22")
    expect(page.get_by_role("status")).to_have_text("Rita Ruiz was saved.")


def test_an_agent_makes_an_api_token_copies_its_secret_and_revokes_it(live, page, agent, log_in):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live)
    log_in(page, live, agent)

    page.get_by_role("link", name=f"My profile: {agent.name}").click()
    page.get_by_label("Token name").fill("Reporting script")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token secret").input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert httpx.get(f"{live}/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    page.get_by_text("Revoke…").click()
    page.get_by_role("button", name="Revoke Reporting script").click()

    expect(page.locator("#api-tokens tbody")).to_contain_text("Revoked")
    expect(page.get_by_label("New token secret")).to_have_count(0)
    assert httpx.get(f"{live}/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
