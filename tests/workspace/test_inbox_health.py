"""The inbox settings page's health card: last traffic, the last failures in plain words, failed payloads with retry,
and the URLs to paste into the provider's console."""
from django.utils import timezone

from parley.channels.email.models import EmailInboxState
from parley.channels.models import EnvelopeStatus
from parley.channels.services import envelope_store, inbox_create


def test_a_failed_payload_is_listed_with_its_reason_and_an_admin_retries_it_after_the_fix(client, admin, api_inbox, on_commit):
    with on_commit():
        envelope, _ = envelope_store(inbox=api_inbox, external_id="bad-1", payload={"contact": {}, "text": "Hi"})
    client.force_login(admin)

    page = client.get(f"/settings/inboxes/{api_inbox.pk}/").content.decode()
    assert "Messages that could not be processed (1)" in page
    assert "contact.source_id is required" in page

    envelope.refresh_from_db()
    envelope.payload = {"contact": {"source_id": "c-1"}, "text": "Hi"}
    envelope.save(update_fields=["payload"])
    with on_commit():
        client.post(f"/settings/inboxes/{api_inbox.pk}/envelopes/{envelope.pk}/retry/")

    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    page = client.get(f"/settings/inboxes/{api_inbox.pk}/").content.decode()
    assert "could not be processed" not in page
    assert "Last message received</dt><dd><time" in page


def test_an_email_inbox_shows_its_last_polling_error_and_the_webhook_address(client, admin, settings):
    settings.PARLEY_BASE_URL = "https://help.example.test"
    inbox = inbox_create(name="Support", kind="email", config={"addresses": ["support@example.test"]})
    EmailInboxState.objects.create(inbox=inbox, last_error="login as support failed: AUTHENTICATIONFAILED",
                                   last_error_at=timezone.now())
    client.force_login(admin)

    page = client.get(f"/settings/inboxes/{inbox.pk}/").content.decode()

    assert "Last polling error" in page and "AUTHENTICATIONFAILED" in page
    assert "<code>https://help.example.test/channels/email/inbound/postmark/</code>" in page


def test_only_admins_retry_payloads(client, make_agent, api_inbox, on_commit):
    with on_commit():
        envelope, _ = envelope_store(inbox=api_inbox, external_id="bad-1", payload={"contact": {}, "text": "Hi"})
    client.force_login(make_agent("supervisor"))

    refused = client.post(f"/settings/inboxes/{api_inbox.pk}/envelopes/{envelope.pk}/retry/")

    assert refused.status_code == 403
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.FAILED


def test_a_web_form_inbox_offers_the_snippet_to_paste_on_the_company_site(client, admin, webform_inbox, settings):
    settings.PARLEY_BASE_URL = "https://help.example.test"
    client.force_login(admin)

    page = client.get(f"/settings/inboxes/{webform_inbox.pk}/").content.decode()

    assert "&lt;a href=&quot;https://help.example.test/portal/contact/&quot;&gt;Contact us&lt;/a&gt;</textarea>" in page
