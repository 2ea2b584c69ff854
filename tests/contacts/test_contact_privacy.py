"""A customer's data rights through the API and the customer page: export everything as a zip, and erase them.

The customer's mail arrives through the inbound API (envelope stored, processed by the job queue), so erasing
is checked against every copy Parley keeps: messages, attachments on disk, raw envelopes, search, the audit log.
"""
import base64
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from parley.accounts.models import Role
from parley.channels.models import InboundEnvelope
from parley.contacts.models import Contact, ContactExport
from parley.contacts.services import contact_update
from parley.conversations.models import Attachment, Conversation, Message
from parley.conversations.services import message_reply
from parley.core.models import AuditEntry

INVOICE = b"%PDF-1.4 Rita's invoice 4711"


@pytest.fixture
def rita(api_as, agent, api_inbox, run_due_jobs):
    """Rita wrote twice (once with her invoice attached) and Sam answered; return her contact."""
    api = api_as(agent)
    for key, text, attachments in [("r1", "My order 4711 never came. Rita Ruiz, Hauptstr. 5", [
            {"filename": "invoice.pdf", "content_type": "application/pdf", "content_base64": base64.b64encode(INVOICE).decode()}]),
            ("r2", "Any news? My phone is 0171 5550123", [])]:
        response = api.post(f"/inboxes/{api_inbox.pk}/messages", {
            "contact": {"source_id": "rita@cust.test", "kind": "email", "name": "Rita Ruiz", "email": "rita@cust.test"},
            "text": text, "attachments": attachments, "idempotency_key": key})
        assert response.status_code == 202, response.json()
        run_due_jobs()
    contact = Contact.objects.get(email="rita@cust.test")
    conversation = Conversation.objects.get(contact=contact)
    message_reply(conversation=conversation, author=agent, text="Sorry Rita, it ships today.")
    contact_update(contact=contact, actor=agent, phone="+491715550123")
    return contact


def test_the_export_is_a_zip_with_every_conversation_message_and_attachment(api_as, admin, rita, run_due_jobs):
    api = api_as(admin)

    started = api.post(f"/contacts/{rita.pk}/exports")
    before = api.get(f"/contacts/exports/{started.json()['id']}").json()
    run_due_jobs("contacts.export")
    finished = api.get(f"/contacts/exports/{started.json()['id']}").json()
    download = api.get(finished["download_url"].removeprefix("/api/v1"))

    assert started.status_code == 202 and before["status"] == "queued" and before["download_url"] is None
    assert finished["status"] == "done" and finished["done"] == finished["total"] == 3 and finished["percent"] == 100
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    document = json.loads(archive.read("contact.json"))
    assert document["contact"]["email"] == "rita@cust.test" and document["contact"]["phone"] == "+491715550123"
    assert [i["address"] for i in document["contact"]["identities"]] == ["rita@cust.test"]
    [conversation] = document["conversations"]
    assert [m["text"] for m in conversation["messages"]] == [
        "My order 4711 never came. Rita Ruiz, Hauptstr. 5", "Any news? My phone is 0171 5550123", "Sorry Rita, it ships today."]
    [attachment] = conversation["messages"][0]["attachments"]
    assert attachment["filename"] == "invoice.pdf" and archive.read(attachment["path"]) == INVOICE


def test_erasing_removes_every_copy_of_what_identifies_her(api_as, admin, rita, run_due_jobs, on_commit):
    api = api_as(admin)
    export = api.post(f"/contacts/{rita.pk}/exports").json()
    run_due_jobs("contacts.export")
    export_file = ContactExport.objects.get(pk=export["id"]).file.name
    attachment_file = Attachment.objects.get().file.name

    unconfirmed = api.post(f"/contacts/{rita.pk}/erase", {"confirm": "yes"})
    with on_commit():  # the files go once the erasure is committed
        erased = api.post(f"/contacts/{rita.pk}/erase", {"confirm": "ERASE"})

    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.json()["extra"]
    assert erased.status_code == 200
    assert erased.json() == {"contact_id": rita.pk, "conversations": 1, "messages": 3, "attachments": 1}
    rita.refresh_from_db()
    assert (rita.name, rita.email, rita.phone, rita.identities.count()) == ("Erased contact", "", "", 0)
    assert not Message.objects.filter(text__contains="4711").exists() and not Message.objects.filter(text__contains="Rita").exists()
    assert not Attachment.objects.exists() and not default_storage.exists(attachment_file)
    assert not ContactExport.objects.exists() and not default_storage.exists(export_file)
    assert all(e.payload == {} and e.raw is None for e in InboundEnvelope.objects.all())
    assert api.get("/contacts", q="rita").json()["items"] == []
    assert api.get("/conversations", q="4711").json()["items"] == []
    # The record of the erasure stays, without her: no name, address or text in any entry about her.
    entries = AuditEntry.objects.filter(target_type="contacts.contact", target_id=str(rita.pk))
    assert "rita" not in json.dumps(list(entries.values_list("changes", flat=True))).lower()
    assert entries.get(action="contact.erased").changes == {"conversations": 1, "messages": 3, "attachments": 1}
    assert entries.get(action="contact.erased").actor == admin


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.LIGHT_AGENT])
def test_only_admins_erase(api_as, make_agent, rita, role):
    response = api_as(make_agent(role)).post(f"/contacts/{rita.pk}/erase", {"confirm": "ERASE"})

    assert response.status_code == 403
    assert Contact.objects.get(pk=rita.pk).email == "rita@cust.test"


def test_the_customer_page_exports_with_progress_and_erases_with_a_typed_confirmation(client, admin, rita, run_due_jobs):
    client.force_login(admin)
    page = client.get(reverse("workspace:customer", args=[rita.pk])).content.decode()

    started = client.post(reverse("workspace:contact-export-start", args=[rita.pk]), follow=True)
    waiting = started.content.decode()
    export = ContactExport.objects.get()
    run_due_jobs("contacts.export")
    ready = client.get(reverse("workspace:contact-export", args=[export.pk]), HTTP_HX_REQUEST="true").content.decode()
    download = client.get(reverse("workspace:contact-export-download", args=[export.pk]))
    wrong_word = client.post(reverse("workspace:contact-erase", args=[rita.pk]), {"confirm": "erase it"}, follow=True)
    email_after_wrong_word = Contact.objects.get(pk=rita.pk).email
    erased = client.post(reverse("workspace:contact-erase", args=[rita.pk]), {"confirm": "ERASE"}, follow=True)

    assert "Export all data" in page and "Type ERASE to confirm" in page
    assert 'hx-trigger="every 1s"' in waiting and "Working… 0 of 3 messages." in waiting
    assert "download the archive" in ready and 'hx-trigger' not in ready
    assert download["Content-Disposition"] == f'attachment; filename="contact-{rita.pk}-export.zip"'
    assert "Type ERASE to confirm: erasing cannot be undone." in wrong_word.content.decode()
    assert email_after_wrong_word == "rita@cust.test"
    assert "3 messages redacted and 1 attachment deleted" in erased.content.decode()
    assert "Erased contact" in erased.content.decode()


def test_an_agent_sees_no_data_rights_on_the_customer_page(client, agent, rita):
    client.force_login(agent)

    page = client.get(reverse("workspace:customer", args=[rita.pk])).content.decode()
    refused = client.post(reverse("workspace:contact-export-start", args=[rita.pk]))

    assert "Export all data" not in page and "Erase this customer" not in page
    assert refused.status_code == 403
