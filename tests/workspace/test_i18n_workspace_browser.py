"""The workspace in the language an agent picks on their profile, with dates and numbers written the way that language writes them."""
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect


@pytest.mark.servers
def test_an_agent_who_picks_german_on_their_profile_works_in_german(live, page, agent, api_inbox, receive, log_in):
    in_march = datetime(2026, 3, 3, 9, 30, tzinfo=timezone.utc)
    conversation = receive(api_inbox, "Wo bleibt mein Paket?", received_at=in_march).conversation
    log_in(page, live, agent)  # the browser asks for English

    page.locator("a.me").click()
    page.get_by_label("Language").select_option(label="Deutsch")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("heading", name="Mein Profil")).to_be_visible()
    expect(page.get_by_text("Ihr Profil wurde gespeichert.")).to_be_visible()
    page.goto(f"{live}/")
    expect(page).to_have_title("Konversationen · Parley")
    expect(page.locator(".filters").get_by_text("Sortieren nach")).to_be_visible()
    expect(page.get_by_role("link", name="Einstellungen → Posteingänge")).to_have_count(0)  # an agent, not an admin
    row = page.locator(f"#row-{conversation.number}")
    expect(row).to_contain_text("Neu")
    when = row.locator("time.when")
    expect(when).to_have_text(re.compile(r"^vor \d+ (Mon\.|Wo\.|T\.|J\.)$"))
    expect(when).to_have_attribute("title", "3. März 2026 09:30")

    page.goto(f"{live}/c/{conversation.number}/")
    expect(page.get_by_role("button", name="Antwort senden")).to_be_visible()
    # Sizes are numbers too: German writes the decimal comma.
    expect(page.locator(".attach-limit").last).to_have_text(re.compile(r"^bis zu \d+,\d\sMB pro Datei$"))


@pytest.mark.servers
def test_an_agent_without_a_preference_gets_the_language_their_browser_asks_for(live, browser, agent, log_in):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    try:
        page.goto(f"{live}/login/")
        expect(page.get_by_text("Inicie sesión en el espacio de trabajo de agentes.")).to_be_visible()
        page.get_by_label("Correo electrónico").fill(agent.email)
        page.get_by_label("Contraseña").fill("pw-secret-1")
        page.get_by_role("button", name="Iniciar sesión").click()
        expect(page).to_have_title("Conversaciones · Parley")
    finally:
        context.close()


@pytest.mark.servers
def test_a_german_agent_sees_in_german_who_else_is_viewing_and_typing(live, page, second_page, make_agent, api_inbox, receive,
                                                                      log_in):
    from parley.accounts.models import Role
    from parley.accounts.services import agent_update_profile

    conversation = receive(api_inbox, "Kann ich die Lieferadresse ändern?").conversation
    ana, ben = make_agent(Role.AGENT, name="Ana Lopez"), make_agent(Role.AGENT, name="Ben Okafor")
    agent_update_profile(user=ben, name=ben.name, signature="", language="de")
    log_in(page, live, ben)
    page.goto(f"{live}/c/{conversation.pk}/")

    log_in(second_page, live, ana)
    second_page.goto(f"{live}/c/{conversation.pk}/")
    expect(page.locator("#presence")).to_contain_text("Ana Lopez sieht sich das an")
    second_page.locator("#reply-text").press_sequentially("Ja, schicken Sie mir")
    expect(page.locator("#agent-typing")).to_have_text("Ana Lopez schreibt eine Antwort…")
