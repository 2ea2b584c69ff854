"""The portal's sign-in mail is written in the customer's language: the stored one, else their browser's."""
from django.core import mail

from parley.contacts.services import contact_update


def test_the_sign_in_link_is_mailed_in_the_contacts_stored_language_whatever_the_browser_asks(
        client, customer_request, django_capture_on_commit_callbacks):
    conversation = customer_request("rita@example.test")
    contact_update(contact=conversation.contact, language="de")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/login/", {"email": "rita@example.test"}, headers={"Accept-Language": "es"})

    (sent,) = mail.outbox
    assert sent.subject.startswith("Ihr Anmeldelink für ")
    assert sent.body.startswith("Hallo Rita,\n\nüber diesen Link sehen Sie Ihre Anfragen")


def test_a_customer_without_a_language_keeps_the_one_their_browser_asked_for_when_signing_in(
        client, customer_request, django_capture_on_commit_callbacks):
    conversation = customer_request("rita@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/login/", {"email": "rita@example.test"}, headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})

    conversation.contact.refresh_from_db()
    assert conversation.contact.language == "es"
    (sent,) = mail.outbox
    assert sent.subject.startswith("Su enlace de acceso a ")
