"""Contacts API: customers with their identities, organization, segments and attributes; merge."""
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from parley.accounts.permissions import require
from parley.api.lookups import referenced, referenced_all
from parley.api.pagination import paginate
from parley.api.schemas import ObjectId, Page
from parley.contacts import privacy, selectors, services
from parley.contacts.models import Contact, ContactExport, ExportStatus, Organization, Segment
from parley.contacts.schemas import (
    ContactErasedOut, ContactEraseIn, ContactExportOut, ContactIn, ContactMergeIn, ContactOut, ContactPatch, ContactQuery,
)

router = Router(tags=["contacts"])


@router.get("/contacts", response=Page[ContactOut])
def contact_list(request, query: Query[ContactQuery]):
    """List contacts (merged-away ones left out), filtered by text, email, organization or segment."""
    require(request.auth, "contact.view")
    contacts = selectors.with_email_status(selectors.contact_list(
        text=query.q or query.search, email=query.email, organization_id=query.organization_id, segment_id=query.segment_id))
    return paginate(contacts, limit=query.limit, cursor=query.cursor)


@router.post("/contacts", response={201: ContactOut})
def contact_create(request, body: ContactIn):
    """Create a contact."""
    require(request.auth, "contact.edit")
    with transaction.atomic():
        contact = services.contact_create(
            name=body.name, email=body.email, phone=body.phone, custom_attributes=body.custom_attributes, actor=request.auth,
            organization=referenced(Organization, body.organization_id, field="organization_id"))
        services.contact_set_segments(contact=contact, segments=referenced_all(Segment, body.segment_ids, field="segment_ids"),
                                      actor=request.auth)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_get(request, contact_id: ObjectId):
    """Show one contact with its identities."""
    require(request.auth, "contact.view")
    return get_object_or_404(selectors.with_email_status(Contact.objects.all()), pk=contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def contact_update(request, contact_id: ObjectId, body: ContactPatch):
    """Change the fields given; `organization_id: null` clears the organization."""
    require(request.auth, "contact.edit")
    contact = get_object_or_404(Contact, pk=contact_id)
    fields = body.dict(exclude_unset=True, exclude_none=True, exclude={"organization_id", "segment_ids"})
    if "organization_id" in body.model_fields_set:
        fields["organization"] = referenced(Organization, body.organization_id, field="organization_id")
    with transaction.atomic():
        services.contact_update(contact=contact, actor=request.auth, **fields)
        if body.segment_ids is not None:
            services.contact_set_segments(contact=contact, segments=referenced_all(Segment, body.segment_ids, field="segment_ids"),
                                          actor=request.auth)
    return contact


@router.post("/contacts/{contact_id}/email-status/reset", response=ContactOut)
def contact_email_status_reset(request, contact_id: ObjectId):
    """Mark the contact's email address deliverable again after a spam complaint or hard bounces."""
    require(request.auth, "contact.edit")
    contact = get_object_or_404(Contact, pk=contact_id)
    services.email_address_reset(address=contact.email, actor=request.auth)
    return get_object_or_404(selectors.with_email_status(Contact.objects.all()), pk=contact_id)


@router.delete("/contacts/{contact_id}", response={204: None})
def contact_delete(request, contact_id: ObjectId):
    """Delete a contact who has no conversations."""
    require(request.auth, "contact.delete")
    services.contact_delete(contact=get_object_or_404(Contact, pk=contact_id), actor=request.auth)
    return Status(204, None)


@router.post("/contacts/{contact_id}/merge", response=ContactOut)
def contact_merge(request, contact_id: ObjectId, body: ContactMergeIn):
    """Merge contact `merge_id` into this one: its identities and conversations move here."""
    require(request.auth, "contact.merge")
    keep = get_object_or_404(Contact, pk=contact_id)
    merge = referenced(Contact, body.merge_id, field="merge_id")
    return services.contact_merge(keep=keep, merge=merge, actor=request.auth)


@router.post("/contacts/{contact_id}/exports", response={202: ContactExportOut})
def contact_export_create(request, contact_id: ObjectId):
    """Start building a zip of everything about the contact (their data, conversations, messages, attachments)."""
    contact = get_object_or_404(Contact, pk=contact_id)
    return Status(202, privacy.contact_export_request(contact=contact, actor=request.auth))


@router.get("/contacts/exports/{export_id}", response=ContactExportOut)
def contact_export_get(request, export_id: ObjectId):
    """Show an export's progress; once `status` is `done`, `download_url` gives the zip."""
    require(request.auth, "contact.export")
    return get_object_or_404(ContactExport, pk=export_id)


@router.get("/contacts/exports/{export_id}/download", url_name="contact_export_download", response={200: bytes},
            openapi_extra={"responses": {200: {"description": "The zip archive (Content-Disposition: attachment).",
                                               "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}})
def contact_export_download(request, export_id: ObjectId):
    """Download a finished export (404 until it is done)."""
    require(request.auth, "contact.export")
    export = get_object_or_404(ContactExport, pk=export_id, status=ExportStatus.DONE)
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=f"contact-{export.contact_id}-export.zip",
                        content_type="application/zip")


@router.post("/contacts/{contact_id}/erase", response=ContactErasedOut)
def contact_erase(request, contact_id: ObjectId, body: ContactEraseIn):
    """Erase the contact's personal data and what they wrote; conversations stay as anonymous records. Cannot be undone."""
    contact = get_object_or_404(Contact, pk=contact_id)
    return {"contact_id": contact.pk, **privacy.contact_erase(contact=contact, actor=request.auth, confirmation=body.confirm)}
