"""A customer's whole round trip in a real browser against a real server that sends real email."""
import email
import re

import pytest
from playwright.sync_api import expect

from parley.conversations.models import Conversation, Direction
from parley.conversations.services import message_reply


def _wait_for_mail(sink, count: int, page) -> email.message.Message:
    for _ in range(100):
        if len(sink.messages) >= count:
            return email.message_from_bytes(sink.messages[count - 1].content)
        page.wait_for_timeout(100)
    raise AssertionError(f"no email #{count} reached the SMTP sink within 10 s")


@pytest.mark.browser
@pytest.mark.servers
def test_a_customer_writes_in_reads_the_answer_under_my_requests_and_replies(
        page, mailing_server, transactional_db, webform_inbox, agent):
    base, sink = mailing_server

    page.goto(base + "/portal/")
    page.get_by_role("link", name="Contact us").first.click()
    page.get_by_label("Name").fill("Rita Ruiz")
    page.get_by_label("Email").fill("rita@example.test")
    page.get_by_label("Subject").fill("Broken zipper")
    page.get_by_label("Message").fill("The zipper of my bag broke on day two.")
    page.get_by_label("Attachments").set_input_files([{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8jpeg"}])
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading")).to_have_text("We got your request")
    conversation = Conversation.objects.get()
    expect(page.locator(".request-number")).to_have_text(f"#{conversation.number}")
    assert conversation.messages.get(direction="in").attachments.get().filename == "photo.jpg"
    thanks = _wait_for_mail(sink, 1, page)
    assert thanks["To"] == "rita@example.test" and f"#{conversation.number}" in thanks["Subject"]

    message_reply(conversation=conversation, author=agent, text="A new bag is on its way to you.")

    page.get_by_role("link", name="My requests").first.click()
    page.get_by_label("Email").fill("rita@example.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading")).to_have_text("Check your email")
    sign_in_mail = _wait_for_mail(sink, 2, page)
    assert sign_in_mail["To"] == "rita@example.test"
    link = re.search(r"https?://\S+/portal/login/\S+/", sign_in_mail.get_payload(decode=True).decode()).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    row = page.locator(".requests li", has_text="Broken zipper")
    expect(row.locator(".status")).to_have_text("In progress")
    row.get_by_role("link").click()
    expect(page.locator(".bubble.from-us .body").last).to_have_text("A new bag is on its way to you.")

    page.get_by_label("Your message").fill("Thank you! Which colour will it be?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".bubble.from-customer .body").last).to_have_text("Thank you! Which colour will it be?")

    latest = conversation.messages.filter(direction=Direction.INBOUND).latest("created_at")
    assert latest.text == "Thank you! Which colour will it be?"
    assert latest.sender_contact_id == conversation.contact_id
