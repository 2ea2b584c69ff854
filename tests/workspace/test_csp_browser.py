"""The workspace under its Content-Security-Policy in Chromium: everything works, injected inline script does not run,
and a blocked remote image loads only after Load images."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_the_workspace_works_under_its_policy_and_refuses_inline_script(live, page, agent, api_inbox, receive, log_in):
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    html = '<p>Our logo:</p><img src="https://images.example.invalid/logo.png" alt="shop logo">'
    conversation = receive(api_inbox, "Our logo:", html=html).conversation
    log_in(page, live, agent)

    response = page.goto(f"{live}/c/{conversation.pk}/")
    page.get_by_label("Reply to the customer").fill("Thanks, logo received.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#timeline .msg-out.kind-reply")).to_contain_text("Thanks, logo received.")
    image = page.locator("#timeline .msg-in img[alt='shop logo']")
    blocked_src = image.get_attribute("src")
    page.get_by_role("link", name="Load images").click()
    expect(page.locator("#timeline .msg-in img[alt='shop logo']")).to_have_attribute("src", "https://images.example.invalid/logo.png")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1';
                             document.body.appendChild(s); }""")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert blocked_src is None
    assert page.evaluate("window.__injected") is None
    assert len(violations) == 1 and "inline script" in violations[0]
