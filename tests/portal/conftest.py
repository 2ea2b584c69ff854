"""Fixtures for the portal: contact-form posts, signed-in customers, and an SMTP sink with its own server."""
import uuid

import pytest

from parley.channels.base import InboundMessage
from parley.conversations.services import message_receive


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def contact_form_data():
    def make(**overrides):
        data = {"name": "Rita Ruiz", "email": "rita@example.test", "subject": "Broken zipper",
                "message": "The zipper of my bag broke on day two.", "submission_id": str(uuid.uuid4()), "website": ""}
        data.update(overrides)
        return data

    return make


@pytest.fixture
def customer_request(webform_inbox):
    from django.core import mail

    """Open a web-form conversation for a customer, as the contact form would: (email, text) -> conversation."""
    def make(email: str, text: str = "Where is my parcel?", subject: str = "Parcel"):
        inbound = InboundMessage(external_id=f"webform-{uuid.uuid4()}", identity_kind="email", source_id=email,
                                 contact_email=email, contact_name=email.split("@")[0].title(), subject=subject, text=text)
        conversation = message_receive(inbox=webform_inbox, inbound=inbound).conversation
        # Tests here read the mail they cause; the form's thank-you mail has its own tests.
        mail.outbox.clear()
        return conversation

    return make


@pytest.fixture
def sign_in(django_capture_on_commit_callbacks):
    """Sign a test client in as the owner of `email`, through the emailed link."""
    from django.core import mail

    def do(client, email: str):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):  # the link is mailed by a job after commit
            client.post("/portal/login/", {"email": email})
        (link,) = [line for line in mail.outbox[-1].body.splitlines() if "/portal/login/" in line]
        path = link[link.index("/portal/login/"):]
        response = client.post(path)
        assert response.status_code == 302
        return response

    return do


@pytest.fixture
def mailing_server(parley_server_factory, smtp_sink):
    """A Parley server whose outgoing mail goes to `smtp_sink`: yields (base_url, sink handler)."""
    host, port, handler = smtp_sink
    env = {"PARLEY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "PARLEY_SMTP_HOST": host, "PARLEY_SMTP_PORT": str(port)}
    with parley_server_factory(env) as base:
        yield base, handler
