"""Fixtures for the workspace tests: customer messages arriving the way channels deliver them."""
import itertools

import pytest
from playwright.sync_api import expect

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive

_ids = itertools.count(1)


@pytest.fixture
def receive(db):
    """Deliver a customer message to an inbox through message_receive, as a channel would; return it."""

    def deliver(inbox, text: str, *, source_id: str = "cust-1", name: str = "Rita Ruiz", kind: str = "external_id",
                subject: str = "", html: str = "", email: str = "", received_at=None, **extra):
        return message_receive(inbox=inbox, received_at=received_at, inbound=InboundMessage(
            external_id=f"ext-{next(_ids)}", identity_kind=kind, source_id=source_id, contact_name=name,
            contact_email=email, text=text, subject=subject, html=html, **extra))

    return deliver


@pytest.fixture
def live(parley_server, transactional_db):
    """The running server's base URL, for tests whose rows the server must see."""
    return parley_server


def _log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("pw-secret-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".me-name")).to_have_text(user.name)
    # htmx wires the page's controls on DOMContentLoaded: a control used before that posts nothing.
    page.wait_for_load_state("load")


@pytest.fixture
def log_in():
    """`log_in(page, base, user)`: log `user` in through the login form and wait for the workspace."""
    return _log_in


@pytest.fixture
def second_page(browser):
    """A page in a browser context of its own (its own cookies), for a second agent working alongside `page`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()
