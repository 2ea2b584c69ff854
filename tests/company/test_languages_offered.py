"""The languages the company offers: customers are served in them (the first by default), agents choose any."""
import pytest
from django.utils import timezone

from parley.company.selectors import company
from parley.contacts.services import contact_create, contact_update
from parley.core.errors import ValidationFailed
from parley.surveys.models import Survey, SurveyKind
from parley.surveys.services import survey_text

COMPANY = "/settings/company/"
GERMAN_QUESTION = "Wie bewerten Sie die Unterstützung, die Sie erhalten haben?"


@pytest.fixture
def german_and_spanish(client, admin):
    """An admin offers German (the default) and Spanish on Settings → Company; returns the saved page's answer."""
    client.force_login(admin)
    saved = client.post(COMPANY, {"name": "Tienda", "color": "#2563eb", "default_sender": "", "time_zone": "",
                                  "languages": ["es", "de"], "default_language": "de"})
    client.logout()
    return saved


def test_an_admin_chooses_the_languages_offered_and_the_default_on_the_company_screen(client, admin, german_and_spanish):
    client.force_login(admin)
    page = client.get(COMPANY).content.decode()

    assert german_and_spanish.status_code == 302
    assert company().languages == ("de", "es")
    assert "Languages offered" in page
    assert 'name="languages" value="en" id="id_languages_0">' in page
    assert 'name="languages" value="de" id="id_languages_1" checked>' in page
    assert '<option value="de" selected>Deutsch</option>' in page


def test_the_default_must_be_one_of_those_offered(client, admin):
    client.force_login(admin)

    refused = client.post(COMPANY, {"name": "Tienda", "languages": ["es"], "default_language": "de"})

    assert refused.status_code == 422
    assert "Offer the default language too" in refused.content.decode()
    assert company().languages == ("en", "de", "es")


def test_the_help_center_speaks_an_offered_language_the_browser_asks_for_else_the_default(client, german_and_spanish):
    def heading(accept_language: str) -> str:
        page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE=accept_language).content.decode()
        return next(text for text in ("How can we help?", "Wie können wir helfen?", "¿En qué podemos ayudarle?") if text in page)

    assert heading("es-ES,es;q=0.9") == "¿En qué podemos ayudarle?"
    assert heading("en-GB,en;q=0.9") == "Wie können wir helfen?"
    assert heading("fr-FR,fr;q=0.9,es;q=0.5") == "¿En qué podemos ayudarle?"


def test_an_agent_keeps_the_workspace_in_their_own_language(client, agent, german_and_spanish):
    client.force_login(agent)

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'lang="en"' in page


def test_mail_to_a_customer_is_in_their_language_while_offered_else_the_default(german_and_spanish):
    rita, tom = contact_create(name="Rita Ruiz", email="rita@example.test"), contact_create(name="Tom", email="tom@example.test")
    contact_update(contact=rita, language="es")
    with pytest.raises(ValidationFailed) as english:
        contact_update(contact=tom, language="en")
    asked = {"kind": SurveyKind.CSAT, "channel": "email", "question": "How would you rate the support you received?",
             "sent_at": timezone.now()}

    to_rita = survey_text(Survey.objects.create(contact=rita, **asked)).splitlines()[0]
    to_tom = survey_text(Survey.objects.create(contact=tom, **asked)).splitlines()[0]

    assert english.value.extra == {"language": "not offered"}
    assert to_rita == "¿Cómo valoraría la atención que ha recibido?"
    assert to_tom == GERMAN_QUESTION
