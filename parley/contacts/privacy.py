"""A contact's data rights: export everything Parley holds about them (access), and erase it (erasure).

The export is a zip built by a job, so a customer with years of mail shows progress instead of a timeout: `contact.json`
(the contact, their identities, every conversation and message) and the attachments under `attachments/`.
Erasing keeps the conversations' shape (numbers, times, statuses, who answered) for the reports, and removes what
says who the customer is or what they wrote: message text and HTML, attachments, the raw payloads the channels
stored, the contact's name, addresses, attributes and identities. The audit entry says how much was erased, never whom.
"""
import io
import json
import secrets
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.contacts.models import Contact, ContactExport, EmailAddressStatus, ExportStatus
from parley.core import jobs
from parley.core.errors import ValidationFailed
from parley.core.models import AuditEntry
from parley.core.services import audit_record

EXPORT_QUEUE = "contacts.export"
ERASED_NAME = "Erased contact"
ERASED_TEXT = "[erased at the customer's request]"
#: Typed by whoever erases, so an erasure is never one stray click or request.
ERASE_CONFIRMATION = "ERASE"


def _messages_of(contact: Contact):
    from parley.conversations.models import Message, MessageKind

    # Their conversations (agents' replies quote them too) and what they wrote as a participant elsewhere; the
    # timeline's system events ("assigned to Sam") are the desk's record, not the customer's words.
    return Message.objects.filter(Q(conversation__contact=contact) | Q(sender_contact=contact)).exclude(kind=MessageKind.EVENT)


def _events_naming(contact: Contact) -> list[int]:
    """Return the system events of their conversations that spell out their name or address."""
    from parley.conversations.models import Message, MessageKind

    words = [word.lower() for word in (contact.name, contact.email, contact.phone) if len(word) > 2]
    events = Message.objects.filter(conversation__contact=contact, kind=MessageKind.EVENT).values_list("pk", "text")
    return [pk for pk, text in events if any(word in text.lower() for word in words)]


# --- export -------------------------------------------------------------------------------------------------------

@transaction.atomic
def contact_export_request(*, contact: Contact, actor) -> ContactExport:
    """Queue an archive of everything about `contact`; its progress and file are on the returned export."""
    require(actor, "contact.export")
    export = ContactExport.objects.create(contact=contact, requested_by=actor, total=_messages_of(contact).count())
    audit_record(actor=actor, action="contact.exported", target=contact, changes={"export": export.pk})
    jobs.enqueue(EXPORT_QUEUE, export.pk)
    return export


def _contact_record(contact: Contact) -> dict:
    return {
        "id": contact.pk, "name": contact.name, "email": contact.email, "phone": contact.phone,
        "organization": contact.organization.name if contact.organization else None,
        "custom_attributes": contact.custom_attributes, "segments": sorted(s.name for s in contact.segments.all()),
        "created_at": contact.created_at.isoformat(),
        "identities": [{"kind": i.kind, "network": i.network, "address": i.source_id, "inbox": i.inbox.name,
                        "created_at": i.created_at.isoformat()} for i in contact.identities.select_related("inbox")],
        "merged_from": [{"id": m.pk, "name": m.name, "email": m.email, "phone": m.phone} for m in contact.merged_contacts.all()],
    }


def contact_export_run(*, export_id: int) -> None:
    """Write the archive of one export, counting messages as they go in (the job behind contact_export_request)."""
    from parley.conversations.models import Conversation

    export = ContactExport.objects.select_related("contact__organization").get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return
    contact = export.contact
    ContactExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, done=0)
    buffer, done = io.BytesIO(), 0
    conversations = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        messages = _messages_of(contact).select_related("author", "sender_contact").prefetch_related("attachments")
        for conversation in Conversation.objects.filter(messages__in=messages).distinct().select_related("inbox").order_by("pk"):
            written = []
            for message in messages.filter(conversation=conversation).order_by("created_at", "pk"):
                written.append(_message_record(message, archive))
            conversations.append({"number": conversation.pk, "subject": conversation.subject, "inbox": conversation.inbox.name,
                                  "status": conversation.status, "created_at": conversation.created_at.isoformat(),
                                  "messages": written})
            done += len(written)
            ContactExport.objects.filter(pk=export.pk).update(done=done)
        document = {"exported_at": timezone.now().isoformat(), "contact": _contact_record(contact), "conversations": conversations}
        archive.writestr("contact.json", json.dumps(document, ensure_ascii=False, indent=2))
    export.file.save(f"{secrets.token_urlsafe(24)}.zip", ContentFile(buffer.getvalue()), save=False)
    ContactExport.objects.filter(pk=export.pk).update(file=export.file.name, size=len(buffer.getvalue()), done=done, total=done,
                                                      status=ExportStatus.DONE, finished_at=timezone.now())


def _message_record(message, archive: zipfile.ZipFile) -> dict:
    attachments = []
    for attachment in message.attachments.all():
        # The stored name is generated; the archive keeps the customer's name, made unique by the attachment's id.
        path = f"attachments/{message.conversation_id}/{attachment.pk}-{attachment.filename or 'file'}"
        with attachment.file.open("rb") as handle:
            archive.writestr(path, handle.read())
        attachments.append({"filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size,
                            "path": path})
    return {"id": message.pk, "direction": message.direction, "kind": message.kind,
            "from": str(message.author or message.sender_contact or ""), "text": message.text, "html": message.html,
            "created_at": message.created_at.isoformat(), "attachments": attachments}


def contact_export_failed(export_id: int, reason: str) -> None:
    ContactExport.objects.filter(pk=export_id).update(status=ExportStatus.FAILED, error=reason[:2000], finished_at=timezone.now())


# --- erasure ------------------------------------------------------------------------------------------------------

@transaction.atomic
def contact_erase(*, contact: Contact, actor, confirmation: str) -> dict:
    """Erase what identifies `contact` and what they wrote; return how many records were touched (no personal data)."""
    from parley.channels.models import InboundEnvelope
    from parley.conversations.models import Attachment, Conversation, Message, Notification

    require(actor, "contact.erase")
    if confirmation != ERASE_CONFIRMATION:
        raise ValidationFailed(gettext("Type %(word)s to confirm: erasing cannot be undone.") % {"word": ERASE_CONFIRMATION},
                               extra={"confirm": f"must be {ERASE_CONFIRMATION}"})
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    people = [contact, *contact.merged_contacts.all()]
    messages = _messages_of(contact)
    message_ids = list(messages.values_list("pk", flat=True))
    naming_events = _events_naming(contact)
    attachments = list(Attachment.objects.filter(message_id__in=message_ids))
    files = [attachment.file.name for attachment in attachments if attachment.file]
    exports = list(ContactExport.objects.filter(contact__in=people).exclude(file=""))
    files += [export.file.name for export in exports]

    erased = {"messages": len(message_ids), "attachments": len(attachments),
              "conversations": Conversation.objects.filter(contact=contact).count()}
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    messages.update(text=ERASED_TEXT, html="", metadata={"erased": True})
    Message.objects.filter(pk__in=naming_events).update(text=ERASED_TEXT, html="", metadata={"erased": True})
    InboundEnvelope.objects.filter(message_id__in=message_ids).update(payload={}, raw=None, last_error="")
    Notification.objects.filter(message_id__in=message_ids).update(text=ERASED_TEXT)
    Conversation.objects.filter(contact=contact).update(subject=ERASED_TEXT, preview="")
    ContactExport.objects.filter(contact__in=people).delete()
    addresses = {person.email for person in people if person.email}
    addresses |= set(contact.identities.values_list("source_id", flat=True))
    EmailAddressStatus.objects.filter(address__in=addresses).delete()
    for person in people:
        person.identities.all().delete()
        person.segments.clear()
        Contact.objects.filter(pk=person.pk).update(name=ERASED_NAME, email="", phone="", custom_attributes={}, organization=None)
    # Earlier entries about them may hold their old name or address in `changes`; the entries stay, the values go.
    AuditEntry.objects.filter(target_type=Contact._meta.label_lower, target_id__in=[str(p.pk) for p in people]).update(changes={})
    audit_record(actor=actor, action="contact.erased", target=contact, changes=erased)

    def delete_files():
        from django.core.files.storage import default_storage

        for name in files:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
    return erased
