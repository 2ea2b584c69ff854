"""Screenshots of the inbox, a conversation and a customer's page with realistic data, at 1280x800.

They go to `tmp_path`, or to PARLEY_SCREENSHOTS_DIR when set; the pictures in docs/screenshots
are made with `PARLEY_SCREENSHOTS_DIR=docs/screenshots pytest tests/workspace/test_screenshots.py`.
"""
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.accounts.services import team_create
from parley.channels.services import inbox_create
from parley.contacts.models import Organization, Segment
from parley.conversations.models import DeliveryStatus
from parley.conversations.services import (
    conversation_assign, conversation_set_tags, conversation_update, message_note, message_reply, message_set_delivery,
)

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def seed(receive, api_inbox, webform_inbox, make_agent):
    """Make a small, believable help desk: a few agents, customers on several channels, a busy conversation."""
    maya = make_agent(Role.AGENT, name="Maya Chen")
    jonas = make_agent(Role.AGENT, name="Jonas Berg")
    team_create(name="Billing", member_ids=[maya.pk, jonas.pk])
    chat = inbox_create(name="Website chat", kind="api")
    rows = [
        (api_inbox, "Order #8812 still not shipped", "It has been six days since I ordered. Can you check?", "Lena Fischer", "urgent", 180),
        (webform_inbox, "Invoice shows the wrong VAT number", "Our VAT number is DE 123 456 789, the invoice has an old one.", "Omar Haddad", "high", 50),
        (chat, "How do I add a second user?", "We are growing and need another seat for a colleague.", "Priya Nair", "normal", 12),
        (api_inbox, "Refund for damaged item", "The mug arrived broken, photos attached.", "Tomás Silva", "normal", 300),
        (webform_inbox, "Change delivery address", "Please send my order to the office instead.", "Grace Kim", "low", 1500),
    ]
    made = []
    now = timezone.now()
    for inbox, subject, text, name, priority, minutes_ago in rows:
        email = name.lower().replace(" ", ".").replace("á", "a") + "@example.com"
        conversation = receive(inbox, text, subject=subject, name=name, kind="email", source_id=email, email=email,
                               received_at=now - timedelta(minutes=minutes_ago)).conversation
        if priority != "normal":
            conversation_update(conversation=conversation, actor=maya, priority=priority)
        made.append(conversation)
    busy = made[0]
    contact = busy.contact
    contact.organization = Organization.objects.create(name="Fischer Design GmbH")
    contact.phone = "+49 30 1234 5678"
    contact.save()
    contact.segments.add(Segment.objects.create(name="VIP", color="#2563eb"))
    receive(chat, "Also, can I change the colour of the lamp?", name="Lena Fischer", kind="email",
            source_id="lena.fischer@example.com", subject="Lamp colour", received_at=now - timedelta(days=9))
    conversation_assign(conversation=busy, actor=maya, assignee=maya)
    conversation_set_tags(conversation=busy, actor=maya, tags=["shipping", "vip"])
    reply = message_reply(conversation=busy, author=maya, text="Hi Lena, sorry for the wait! I am checking with our warehouse right now.")
    message_set_delivery(message=reply, status=DeliveryStatus.DELIVERED)
    message_note(conversation=busy, author=maya, text="@jonas the warehouse says the parcel is stuck at customs — can you call DHL?")
    receive(api_inbox, "Thank you. Any idea when it will arrive?", name="Lena Fischer", kind="email", source_id="lena.fischer@example.com")
    conversation_assign(conversation=made[1], actor=jonas, assignee=jonas)
    return maya, busy


def test_the_inbox_a_busy_conversation_and_its_customer_render_for_screenshots(live, page, api_inbox, webform_inbox, make_agent, receive, tmp_path):
    out = Path(os.environ.get("PARLEY_SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    maya, busy = seed(receive, api_inbox, webform_inbox, make_agent)

    page.goto(f"{live}/login/")
    page.get_by_label("Email").fill(maya.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#conversation-list .row")).to_have_count(6)
    page.screenshot(path=str(out / "workspace.png"))
    page.goto(f"{live}/c/{busy.pk}/")
    expect(page.locator("#timeline")).to_contain_text("Any idea when it will arrive?")
    page.screenshot(path=str(out / "conversation.png"))
    page.get_by_role("link", name="Customer page →").click()
    expect(page.get_by_role("region", name="Customer").locator(".past li")).to_have_count(2)
    page.screenshot(path=str(out / "customer.png"))

    for name in ("workspace.png", "conversation.png", "customer.png"):
        assert (out / name).stat().st_size > 10_000
