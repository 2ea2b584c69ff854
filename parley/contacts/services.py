from django.db import transaction

from parley.contacts.models import GLOBAL_IDENTITY_KINDS, Contact, ContactIdentity, IdentityKind, Organization
from parley.core import events
from parley.core.errors import ValidationFailed
from parley.core.services import audit_record


def _normalize_source_id(kind: str, source_id: str) -> str:
    source_id = source_id.strip()
    if kind == IdentityKind.EMAIL:
        return source_id.lower()
    if kind == IdentityKind.PHONE:
        return "".join(ch for ch in source_id if ch.isdigit() or ch == "+")
    return source_id


@transaction.atomic
def contact_create(*, name: str = "", email: str = "", phone: str = "", organization: Organization | None = None,
                   custom_attributes: dict | None = None, actor=None) -> Contact:
    contact = Contact.objects.create(name=name.strip(), email=email.strip().lower(), phone=phone.strip(),
                                     organization=organization, custom_attributes=custom_attributes or {})
    audit_record(actor=actor, action="contact.created", target=contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor=None, **fields) -> Contact:
    allowed = {"name", "email", "phone", "organization", "custom_attributes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed("Unknown contact fields.", extra={f: "unknown field" for f in unknown})
    changes = {}
    for field, value in fields.items():
        old = getattr(contact, field)
        if old != value:
            changes[field] = [str(old), str(value)]
            setattr(contact, field, value)
    if changes:
        contact.save()
        audit_record(actor=actor, action="contact.updated", target=contact, changes=changes)
    return contact


@transaction.atomic
def contact_resolve_identity(*, inbox, kind: str, source_id: str, name: str = "", email: str = "", phone: str = "") -> Contact:
    """Return the contact behind (inbox, kind, source_id), creating contact and identity as needed.

    An email address or phone number already known in another inbox is the same person, so
    the new identity joins that contact rather than splitting the customer in two.
    """
    if kind not in IdentityKind.values:
        raise ValidationFailed("Unknown identity kind.", extra={"kind": f"must be one of {', '.join(IdentityKind.values)}"})
    source_id = _normalize_source_id(kind, source_id)
    if not source_id:
        raise ValidationFailed("An identity needs a source id.", extra={"source_id": "required"})
    identity = ContactIdentity.objects.select_related("contact").filter(inbox=inbox, kind=kind, source_id=source_id).first()
    if identity:
        return _live(identity.contact)
    contact = None
    if kind in GLOBAL_IDENTITY_KINDS:
        known = ContactIdentity.objects.select_related("contact").filter(kind=kind, source_id=source_id).first()
        contact = _live(known.contact) if known else None
        if contact is None:
            field = "email" if kind == IdentityKind.EMAIL else "phone"
            contact = Contact.objects.filter(**{field: source_id}, merged_into__isnull=True).first()
    if email and contact is None:
        contact = Contact.objects.filter(email=email.strip().lower(), merged_into__isnull=True).first()
    if contact is None:
        contact = contact_create(name=name or (source_id if kind != IdentityKind.EMAIL else source_id.split("@")[0]),
                                 email=email or (source_id if kind == IdentityKind.EMAIL else ""),
                                 phone=phone or (source_id if kind == IdentityKind.PHONE else ""))
    elif name and not contact.name:
        contact.name = name
        contact.save(update_fields=["name", "updated_at"])
    ContactIdentity.objects.create(contact=contact, inbox=inbox, kind=kind, source_id=source_id)
    return contact


def _live(contact: Contact) -> Contact:
    # Follow merges so a message from an old identity lands on the surviving contact.
    while contact.merged_into_id:
        contact = contact.merged_into
    return contact


@transaction.atomic
def contact_merge(*, keep: Contact, merge: Contact, actor=None) -> Contact:
    """Move every identity and conversation of `merge` onto `keep`; `merge` stays as a pointer."""
    if keep.pk == merge.pk:
        raise ValidationFailed("A contact cannot be merged into itself.", extra={"merge": "same contact"})
    if merge.merged_into_id:
        raise ValidationFailed("That contact was already merged.", extra={"merge": "already merged"})
    from parley.conversations.models import Conversation

    moved_identities = list(merge.identities.values_list("kind", "source_id"))
    merge.identities.update(contact=keep)
    moved_conversations = Conversation.objects.filter(contact=merge).update(contact=keep)
    for field in ("email", "phone"):
        if not getattr(keep, field) and getattr(merge, field):
            setattr(keep, field, getattr(merge, field))
    keep.custom_attributes = {**merge.custom_attributes, **keep.custom_attributes}
    keep.organization = keep.organization or merge.organization
    keep.save()
    keep.segments.add(*merge.segments.all())
    merge.merged_into = keep
    merge.save(update_fields=["merged_into", "updated_at"])
    audit_record(actor=actor, action="contact.merged", target=keep, changes={
        "merged_id": merge.pk, "identities": [f"{k}:{s}" for k, s in moved_identities], "conversations": moved_conversations})
    events.publish("contact.merged", {"contact_id": keep.pk, "merged_id": merge.pk, "actor_id": getattr(actor, "pk", None)})
    return keep
