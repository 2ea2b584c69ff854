"""A customer whose browser asks for Spanish reads the help center in Spanish and gets Spanish mail."""
import email
import email.policy

import pytest
from playwright.sync_api import expect

from parley.conversations.models import Conversation


def _wait_for_mail(sink, page) -> email.message.EmailMessage:
    for _ in range(150):
        if sink.messages:
            return email.message_from_bytes(sink.messages[0].content, policy=email.policy.default)
        page.wait_for_timeout(100)
    raise AssertionError("no email reached the SMTP sink within 15 s")


@pytest.mark.servers
def test_a_spanish_browser_gets_the_portal_in_spanish_and_the_acknowledgement_by_mail_in_spanish(
        browser, mailing_server, transactional_db, webform_inbox):
    base, sink = mailing_server
    context = browser.new_context(locale="es-ES")  # Chromium sends Accept-Language: es-ES
    page = context.new_page()
    try:
        page.goto(base + "/portal/")
        expect(page.get_by_role("heading", name="¿En qué podemos ayudarle?")).to_be_visible()
        page.get_by_role("link", name="Contacto").first.click()
        page.get_by_label("Nombre").fill("Lucía Gómez")
        page.get_by_label("Correo electrónico").fill("lucia@example.test")
        page.get_by_label("Asunto").fill("Cremallera rota")
        page.get_by_label("Mensaje").fill("La cremallera de mi bolso se rompió al segundo día.")
        page.get_by_role("button", name="Enviar").click()

        expect(page.get_by_role("heading")).to_have_text("Hemos recibido su solicitud")
        conversation = Conversation.objects.get()
        expect(page.locator(".request-number").locator("..")).to_contain_text("Le responderemos por correo electrónico.")
        thanks = _wait_for_mail(sink, page)
    finally:
        context.close()

    conversation.contact.refresh_from_db()
    assert conversation.contact.language == "es"  # kept for the mail that follows, which has no browser
    assert thanks["To"] == "lucia@example.test"
    body = thanks.get_content()
    assert body.startswith("Gracias por contactar con ")
    assert f"Su número de solicitud es #{conversation.number}." in body
    assert "Vea su solicitud y responda: " in body and "Thank you" not in body
