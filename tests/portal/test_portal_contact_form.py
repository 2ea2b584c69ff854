"""The contact form: a submission becomes one conversation, bad input changes nothing."""
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile as upload

from parley.channels.models import InboundEnvelope
from parley.contacts.models import Contact
from parley.conversations.models import Conversation, Message


def test_given_the_home_page_then_it_shows_the_company_name_and_both_entry_points(client, settings, db):
    settings.PARLEY_COMPANY_NAME = "Acme Bags"

    page = client.get("/portal/").content.decode()

    assert "Acme Bags" in page
    assert 'href="/portal/contact/"' in page and 'href="/portal/requests/"' in page
    assert 'type="search"' in page


def test_when_a_customer_submits_the_form_then_one_conversation_holds_their_message_and_files(
        client, webform_inbox, contact_form_data, media_root, on_commit):
    files = [upload("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf"), upload("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")]

    with on_commit():
        response = client.post("/portal/contact/", {**contact_form_data(), "attachments": files})

    assert response.status_code == 302
    conversation = Conversation.objects.get()
    message = conversation.messages.get(direction="in")
    assert conversation.inbox == webform_inbox
    assert conversation.subject == "Broken zipper"
    assert (conversation.contact.name, conversation.contact.email) == ("Rita Ruiz", "rita@example.test")
    assert message.text == "The zipper of my bag broke on day two."
    stored = {a.filename: (a.content_type, a.file.open("rb").read()) for a in message.attachments.all()}
    assert stored == {"receipt.pdf": ("application/pdf", b"%PDF-1.4 receipt"), "photo.jpg": ("image/jpeg", b"\xff\xd8jpeg")}
    thanks = client.get(response["Location"]).content.decode()
    assert "We got your request" in thanks
    assert f"#{conversation.number}" in thanks


def test_the_thank_you_email_the_form_promises_goes_out_through_the_outbox_and_shows_on_the_conversation(
        client, webform_inbox, contact_form_data, on_commit):
    with on_commit():
        client.post("/portal/contact/", contact_form_data())

    conversation = Conversation.objects.get()
    (acknowledgement,) = conversation.messages.filter(direction="out", kind="reply")
    assert acknowledgement.metadata["automatic"] == "acknowledgement"
    assert acknowledgement.delivery_status == "sent" and acknowledgement.author is None
    (sent,) = mail.outbox
    assert sent.to == ["rita@example.test"]
    assert f"#{conversation.number}" in sent.subject and f"#{conversation.number}" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert conversation.first_response_at is None and conversation.status == "new"  # not an answer from the team


def test_given_a_known_email_when_they_write_again_then_the_same_contact_gets_a_new_request(
        client, webform_inbox, contact_form_data, on_commit):
    with on_commit():
        client.post("/portal/contact/", contact_form_data())
        client.post("/portal/contact/", contact_form_data(email="RITA@example.test", subject="Another thing"))

    assert Contact.objects.count() == 1
    assert sorted(Conversation.objects.values_list("subject", flat=True)) == ["Another thing", "Broken zipper"]


def test_when_the_same_form_is_posted_twice_then_one_request_is_stored(client, webform_inbox, contact_form_data, on_commit):
    data = contact_form_data()
    with on_commit():
        client.post("/portal/contact/", data)
        client.post("/portal/contact/", data)

    assert InboundEnvelope.objects.count() == 1
    assert Conversation.objects.count() == 1


def test_when_fields_are_missing_then_errors_show_next_to_them_and_nothing_is_stored(client, webform_inbox, contact_form_data):
    response = client.post("/portal/contact/", contact_form_data(email="not-an-email", message="  ", subject=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="email-error"' in page and "valid email address" in page
    assert 'id="message-error"' in page and 'id="subject-error"' in page
    assert 'id="name-error"' not in page
    assert not InboundEnvelope.objects.exists()
    assert not Conversation.objects.exists()


def test_when_an_attachment_is_over_the_limit_then_413_and_nothing_at_all_is_stored(
        client, webform_inbox, contact_form_data, media_root, settings, on_commit):
    settings.PARLEY_MAX_ATTACHMENT_BYTES = 10
    files = [upload("small.txt", b"tiny", "text/plain"), upload("huge.bin", b"x" * 11, "application/octet-stream")]

    with on_commit():
        response = client.post("/portal/contact/", {**contact_form_data(), "attachments": files})

    assert response.status_code == 413
    page = response.content.decode()
    assert 'id="attachments-error"' in page and "huge.bin" in page and "too large" in page
    assert "Rita Ruiz" in page  # the rest of what they typed is kept
    assert not InboundEnvelope.objects.exists()
    assert not Message.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_when_a_bot_fills_the_hidden_field_then_it_sees_success_and_nothing_is_stored(client, webform_inbox, contact_form_data):
    response = client.post("/portal/contact/", contact_form_data(website="http://spam.example"), follow=True)

    assert "We got your request" in response.content.decode()
    assert not InboundEnvelope.objects.exists()


def test_given_no_web_form_inbox_then_the_form_says_it_is_not_set_up(client, db, contact_form_data):
    shown = client.get("/portal/contact/")
    posted = client.post("/portal/contact/", contact_form_data())

    assert shown.status_code == posted.status_code == 503
    assert "not set up" in shown.content.decode()
    assert not InboundEnvelope.objects.exists()


def test_given_processing_has_not_run_yet_then_the_thanks_page_promises_an_email(client, webform_inbox, contact_form_data):
    response = client.post("/portal/contact/", contact_form_data(), follow=True)

    page = response.content.decode()
    assert "We got your request" in page
    assert "You'll get an email" in page
    assert InboundEnvelope.objects.count() == 1


def test_history_imported_from_before_is_not_acknowledged_now(webform_inbox, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from parley.channels.base import InboundMessage
    from parley.conversations.services import message_receive

    with django_capture_on_commit_callbacks(execute=True):
        message = message_receive(inbox=webform_inbox, received_at=timezone.now() - timedelta(days=3), inbound=InboundMessage(
            external_id="old-1", identity_kind="email", source_id="rita@example.test", text="Three days ago"))

    assert not message.conversation.messages.filter(direction="out").exists()
    assert not mail.outbox
