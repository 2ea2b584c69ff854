"""The automatic acknowledgement is written in the language stored on the customer, over real SMTP."""
from mailmaker import mail

from parley.channels.email.services import email_store
from parley.contacts.services import contact_create, contact_update
from parley.conversations.models import Conversation


def _customer_writes_in(inbox, on_commit) -> Conversation:
    with on_commit():
        email_store(inbox=inbox, raw=mail(sender="Rita Ruiz <rita@customer.test>"))
    return Conversation.objects.get()


def test_a_customer_stored_as_german_gets_the_default_acknowledgement_in_german(make_email_inbox, smtp_sink, on_commit):
    contact_update(contact=contact_create(name="Rita Ruiz", email="rita@customer.test"), language="de")
    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)

    conversation = _customer_writes_in(inbox, on_commit)

    (_, recipients, sent), = smtp_sink.messages
    assert recipients == ["rita@customer.test"]
    body = sent.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Vielen Dank für Ihre Nachricht. Wir haben sie erhalten")
    assert f"Ihre Referenz ist #{conversation.pk};" in body


def test_a_customer_without_a_language_gets_the_default_acknowledgement_in_the_site_language(
        make_email_inbox, smtp_sink, on_commit):
    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True)

    _customer_writes_in(inbox, on_commit)

    (_, _, sent), = smtp_sink.messages
    assert sent.get_body(preferencelist=("plain",)).get_content().startswith("Thank you for writing to us.")


def test_an_acknowledgement_the_team_wrote_is_sent_as_written_whatever_the_customers_language(
        make_email_inbox, smtp_sink, on_commit):
    inbox = make_email_inbox(smtp_port=smtp_sink.port, auto_acknowledge=True,
                             acknowledgement_text="Danke! Wir melden uns zu #{number}.")
    contact_update(contact=contact_create(name="Rita Ruiz", email="rita@customer.test"), language="es")

    conversation = _customer_writes_in(inbox, on_commit)

    (_, _, sent), = smtp_sink.messages
    assert sent.get_body(preferencelist=("plain",)).get_content().startswith(f"Danke! Wir melden uns zu #{conversation.pk}.")
