"""What a visitor and an agent see of files, emoji, the agent's face, canned replies and the chat tray, in headless Chromium."""
import pytest
from playwright.sync_api import expect

from chat_client import as_agent, png_bytes, widget
from parley.accounts.services import agent_set_availability
from parley.automation.services.library import canned_response_create
from parley.conversations.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def visitor_says(page, base, text):
    page.goto(f"{base}/demo/shop/")
    widget(page).locator(".launcher").click()
    widget(page).locator("textarea").fill(text)
    widget(page).locator("button.go").click()
    expect(widget(page).locator(".msg.visitor[data-id]").last).to_contain_text(text)


def test_a_french_visitor_sends_an_emoji_and_a_picture_is_refused_an_svg_and_sees_the_agents_face(
        parley_server, browser, chat_inbox, agent, tmp_path):
    agent_set_availability(user=agent, availability="online")
    picture, drawing = tmp_path / "zip.png", tmp_path / "logo.svg"
    picture.write_bytes(png_bytes(40, 30))
    drawing.write_text("<svg xmlns='http://www.w3.org/2000/svg' onload='window.__pwned=1'/>")
    shopper, desk_context = browser.new_context(locale="fr-FR"), as_agent(browser, parley_server, agent)
    try:
        page = shopper.new_page()
        page.goto(f"{parley_server}/demo/shop/")
        widget(page).get_by_role("button", name="Ouvrir le chat").click()
        widget(page).get_by_role("button", name="Ajouter un emoji").click()
        widget(page).get_by_role("button", name="👍").click()
        box = widget(page).get_by_label("Écrivez un message…")
        expect(box).to_have_value("👍")
        box.press_sequentially(" la fermeture est cassée")
        widget(page).get_by_role("button", name="Envoyer", exact=True).click()
        expect(widget(page).locator(".msg.visitor[data-id]")).to_have_text("👍 la fermeture est cassée")

        widget(page).locator("input[type=file]").set_input_files(str(picture))
        shown = widget(page).locator(".msg.visitor[data-id] img")
        expect(shown).to_have_attribute("alt", "zip.png")
        page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=shown.element_handle())
        widget(page).locator("input[type=file]").set_input_files(str(drawing))
        expect(widget(page).locator(".msg.failed")).to_contain_text("Non envoyé : This file cannot be sent: logo.svg: "
                                                                    "image/svg+xml is not carried")

        conversation = Conversation.objects.get(inbox=chat_inbox)
        desk = desk_context.new_page()
        desk.goto(f"{parley_server}/c/{conversation.pk}/")
        expect(desk.locator("#timeline")).to_contain_text("👍 la fermeture est cassée")
        seen_by_agent = desk.locator("#timeline img.attachment-picture")
        expect(seen_by_agent).to_have_attribute("alt", "zip.png")
        desk.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=seen_by_agent.element_handle())
        expect(desk.locator("#timeline")).not_to_contain_text("logo.svg")
        desk.get_by_label("Reply to the customer").fill("Désolé ! Nous envoyons une nouvelle fermeture 😊")
        desk.get_by_role("button", name="Send reply").click()

        reply = widget(page).locator(".msg.agent[data-id]")
        expect(reply).to_contain_text("Désolé ! Nous envoyons une nouvelle fermeture 😊")
        expect(reply.locator(".who .av")).to_have_text("SA")
        expect(reply.locator(".who")).to_contain_text("Sam")
        assert page.evaluate("window.__pwned") is None
    finally:
        shopper.close()
        desk_context.close()


def test_an_agent_juggles_two_chats_from_the_tray_with_unread_counts_and_a_canned_reply(
        parley_server, browser, chat_inbox, agent, admin):
    agent_set_availability(user=agent, availability="online")
    canned_response_create(shortcut="delivery", title="Delivery times", text="Parcels leave within one working day.", actor=admin)
    ana_context, ben_context, desk_context = browser.new_context(), browser.new_context(), as_agent(browser, parley_server, agent)
    try:
        ana, ben = ana_context.new_page(), ben_context.new_page()
        visitor_says(ana, parley_server, "Do you ship to Norway?")
        visitor_says(ben, parley_server, "Is the blue jacket back?")
        ana_chat, ben_chat = (Conversation.objects.get(preview__startswith=text) for text in ("Do you ship", "Is the blue"))

        desk = desk_context.new_page()
        desk.goto(f"{parley_server}/")
        expect(desk.locator("body")).to_have_attribute("data-live", "on")
        tray = desk.get_by_role("complementary", name="Chats")
        ana_tab, ben_tab = (tray.locator(f"[data-conversation='{c.pk}']") for c in (ana_chat, ben_chat))
        expect(ana_tab.locator(".chat-unread")).to_have_text("1")
        expect(ben_tab.locator(".chat-unread")).to_have_text("1")

        ana_tab.click()
        expect(desk.locator("body")).to_have_attribute("data-live", "on")
        expect(tray.locator(f"[data-conversation='{ana_chat.pk}']")).to_have_attribute("aria-current", "page")
        reply_box = desk.get_by_label("Reply to the customer")
        reply_box.click()
        reply_box.press_sequentially("/deliv")
        expect(desk.get_by_role("listbox", name="Canned responses")).to_contain_text("/delivery · Delivery times")
        reply_box.press("Enter")
        desk.get_by_role("button", name="Send reply").click()
        expect(widget(ana).locator(".msg.agent[data-id]")).to_contain_text("Parcels leave within one working day.")
        expect(tray.locator(f"[data-conversation='{ana_chat.pk}'] .chat-unread")).to_have_count(0)

        # Ben writes again while the agent is in Ana's chat: his tab counts it, live.
        widget(ben).locator("textarea").fill("Size M please")
        widget(ben).locator("button.go").click()
        expect(tray.locator(f"[data-conversation='{ben_chat.pk}'] .chat-unread")).to_have_text("2")
        expect(desk.locator("#timeline")).not_to_contain_text("Size M please")

        tray.locator(f"[data-conversation='{ben_chat.pk}']").click()
        expect(desk.locator("#timeline")).to_contain_text("Size M please")
        expect(tray.locator(f"[data-conversation='{ben_chat.pk}']")).to_have_attribute("aria-current", "page")
    finally:
        for context in (ana_context, ben_context, desk_context):
            context.close()
