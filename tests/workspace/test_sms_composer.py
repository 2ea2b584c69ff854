"""The reply composer on an SMS conversation, in a real browser: segments and their encoding, and an opt-out."""
import pytest
from playwright.sync_api import expect

from parley.channels.services import inbox_create
from parley.channels.sms.services import sms_opt_out_set

CUSTOMER = "+14155552671"


@pytest.fixture
def sms_inbox(db):
    return inbox_create(name="Texts", kind="sms", config={"account_sid": "AC" + "0" * 32, "auth_token": "f" * 32,
                                                          "number": "+14155550100"})


@pytest.mark.browser
@pytest.mark.servers
def test_the_composer_counts_sms_segments_naming_the_encoding_and_shows_an_opt_out(live, page, log_in, agent, sms_inbox, receive):
    conversation = receive(sms_inbox, "Is my order on its way?", kind="phone", source_id=CUSTOMER, name="").conversation
    log_in(page, live, agent)
    page.goto(f"{live}/c/{conversation.pk}/")

    reply, counter = page.get_by_label("Reply to the customer"), page.locator("#reply-counter")
    reply.fill("Yes, it ships today. " * 8)  # 168 GSM-7 characters: two segments of 153
    expect(counter).to_have_text("2 / 10 SMS segments (GSM-7)")
    reply.fill("Yes, it ships today 🚚")  # the emoji makes it UCS-2, still one segment of 70
    expect(counter).to_have_text("1 / 10 SMS segments (UCS-2)")
    reply.fill("Ça arrive aujourd’hui. " * 4)  # the typographic apostrophe is not GSM-7: 92 UCS-2 units, 2 segments
    expect(counter).to_have_text("2 / 10 SMS segments (UCS-2)")

    sms_opt_out_set(inbox=sms_inbox, number=CUSTOMER, opted_out=True, keyword="STOP")
    page.reload()
    expect(page.locator(".reply-refused")).to_contain_text(f"Replies cannot be sent: {CUSTOMER} texted STOP on")
    page.get_by_label("Reply to the customer").fill("Are you still there?")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#action-error")).to_contain_text("This reply cannot be sent")
    assert not conversation.messages.filter(text="Are you still there?").exists()
