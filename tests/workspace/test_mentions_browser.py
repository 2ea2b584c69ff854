"""@mentions in headless Chromium: the note box suggests colleagues, the note links them and #numbers, and the colleague is told."""
import httpx
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.conversations.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_agent_picks_a_colleague_from_the_suggestions_and_the_note_links_them_and_the_conversation_it_names(
        live, page, second_page, make_agent, api_inbox, receive, log_in):
    conversation = receive(api_inbox, "My parcel arrived broken", source_id="rita").conversation
    earlier = receive(api_inbox, "Where is my parcel?", source_id="omar", name="Omar Diaz").conversation
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    make_agent(Role.AGENT, name="Bea Stone")
    ben_page = second_page
    log_in(ben_page, live, ben)
    expect(ben_page.locator("body")).to_have_attribute("data-live", "on")

    log_in(page, live, ana)
    page.goto(f"{live}/c/{conversation.pk}/")
    page.get_by_role("tab", name="Internal note").click()
    note = page.locator("#note-text")
    note.press_sequentially("Same customer as #%d, please check @b" % earlier.pk)
    suggestions = page.get_by_role("listbox", name="Colleagues to mention")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    note.press_sequentially("en")
    expect(suggestions.get_by_role("option")).to_have_text(["Ben Okafor@ben.okafor"])
    note.press("Enter")
    expect(note).to_have_value("Same customer as #%d, please check @ben.okafor " % earlier.pk)
    expect(suggestions).to_be_hidden()
    page.get_by_role("button", name="Add note").click()

    posted = page.locator("#timeline .msg-body").last
    expect(posted.get_by_role("link", name="@ben.okafor")).to_have_attribute("href", f"/?view=all&assignee={ben.pk}")
    expect(posted.get_by_role("link", name=f"#{earlier.pk}")).to_have_attribute("href", f"/c/{earlier.pk}/")
    expect(ben_page.locator("#mention-badge")).to_have_text("1")
    assert Notification.objects.filter(recipient=ben, kind="mention", conversation=conversation).count() == 1


def test_the_colleague_list_answers_only_agents_signed_in(live, make_agent):
    assert httpx.get(f"{live}/mentions/?q=ben", follow_redirects=False).status_code == 302
