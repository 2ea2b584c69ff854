"""A customer's language: set by an agent or through the API, and used for the mail they get."""
from django.utils import timezone

from parley.contacts.services import contact_create, contact_update
from parley.surveys.models import Survey, SurveyKind
from parley.surveys.services import survey_text


def test_the_api_sets_a_contacts_language_and_refuses_one_parley_does_not_ship(api_as, admin):
    contact = contact_create(name="Rita Ruiz", email="rita@example.test")
    api = api_as(admin)

    assert api.patch(f"/contacts/{contact.pk}", {"language": "de"}).json()["language"] == "de"
    refused = api.patch(f"/contacts/{contact.pk}", {"language": "fr"})

    assert refused.status_code == 422
    assert refused.json()["extra"] == {"language": "not offered"} and "“fr”" in refused.json()["message"]
    contact.refresh_from_db()
    assert contact.language == "de"


def test_an_agent_sets_the_language_of_mail_on_the_customer_page(client, agent):
    contact = contact_create(name="Rita Ruiz", email="rita@example.test")
    client.force_login(agent)

    page = client.get(f"/customers/{contact.pk}/").content.decode()
    response = client.post(f"/customers/{contact.pk}/", {"name": "Rita Ruiz", "email": "rita@example.test", "language": "es"})

    assert "Language of mail" in page and '<option value="es">Español</option>' in page
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.language == "es"


def test_a_survey_asks_its_default_question_in_the_customers_language_and_a_written_one_as_written(db):
    contact = contact_create(name="Rita Ruiz", email="rita@example.test")
    contact_update(contact=contact, language="es")
    asked = {"kind": SurveyKind.CSAT, "contact": contact, "channel": "email", "sent_at": timezone.now()}
    default = Survey.objects.create(question="How would you rate the support you received?", **asked)
    written = Survey.objects.create(question="¿Qué tal le atendió Ana?", **asked)

    lines = survey_text(default).splitlines()

    assert lines[:3] == ["¿Cómo valoraría la atención que ha recibido?", "", "Elija una puntuación (un clic la registra):"]
    assert lines[3].startswith("1 – Muy insatisfecho: ") and lines[-1].startswith("O responda y deje un comentario aquí: ")
    assert survey_text(written).splitlines()[0] == "¿Qué tal le atendió Ana?"
