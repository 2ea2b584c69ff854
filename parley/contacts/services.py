import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.contacts.models import (GLOBAL_IDENTITY_KINDS, LEGACY_IDENTITY_KINDS, AddressState, Contact, ContactIdentity,
                                    EmailAddressStatus, IdentityKind, Organization, Segment)
from parley.core import actors, events
from parley.core.errors import ValidationFailed
from parley.core.i18n import offered_languages
from parley.core.models import surviving
from parley.core.phones import phone_normalize
from parley.core.services import audit_record
from parley.core.rows import atomic_without_savepoint

_NETWORK = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def identity_kind(kind: str, network: str = "") -> tuple[str, str]:
    """Return (kind, network) for an identity kind, old channel-named kinds ("whatsapp", "telegram" …) included.

    Raise ValidationFailed for an unknown kind, a handle without a network, or a network on another kind.
    """
    kind, network = (kind or "").strip().lower(), (network or "").strip().lower()
    if kind in LEGACY_IDENTITY_KINDS:
        kind, implied = LEGACY_IDENTITY_KINDS[kind]
        network = network or implied
    if kind not in IdentityKind.values:
        known = [*IdentityKind.values, *LEGACY_IDENTITY_KINDS]
        raise ValidationFailed(gettext("Unknown identity kind."), extra={"kind": f"must be one of {', '.join(known)}"})
    if kind == IdentityKind.HANDLE and not _NETWORK.match(network):
        raise ValidationFailed(gettext("A handle needs the network it is on."),
                               extra={"network": "required for a handle: telegram, x, messenger, instagram, chat …"})
    if kind != IdentityKind.HANDLE and network:
        raise ValidationFailed(gettext("Only a handle has a network."), extra={"network": f"not used with kind {kind}"})
    return IdentityKind(kind).value, network


def _normalize_source_id(kind: str, source_id: str) -> str:
    source_id = source_id.strip()
    if kind in (IdentityKind.EMAIL, IdentityKind.UNVERIFIED_EMAIL):
        return source_id.lower()
    if kind == IdentityKind.PHONE:
        return phone_normalize(source_id)
    return source_id


@atomic_without_savepoint
def contact_create(*, name: str = "", email: str = "", phone: str = "", organization: Organization | None = None,
                   custom_attributes: dict | None = None, actor=None) -> Contact:
    contact = Contact.objects.create(name=name.strip(), email=email.strip().lower(), phone=phone_normalize(phone),
                                     organization=organization, custom_attributes=custom_attributes or {})
    audit_record(actor=actor, action="contact.created", target=contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor=None, **fields) -> Contact:
    allowed = {"name", "email", "phone", "organization", "custom_attributes", "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(gettext("Unknown contact fields."), extra={f: "unknown field" for f in unknown})
    if fields.get("language") and fields["language"] not in offered_languages():
        raise ValidationFailed(gettext("“%(language)s” is not a language the company offers: %(offered)s.")
                               % {"language": fields["language"], "offered": ", ".join(offered_languages())}, extra={"language": "not offered"})
    if fields.get("phone"):
        fields["phone"] = phone_normalize(fields["phone"])
    changes = {}
    for field, value in fields.items():
        old = getattr(contact, field)
        if old != value:
            changes[field] = [str(old), str(value)]
            setattr(contact, field, value)
    if changes:
        contact.save()
        audit_record(actor=actor, action="contact.updated", target=contact, changes=changes)
        events.publish("contact.updated", {"contact_id": contact.pk, "fields": sorted(changes), "actor": actors.describe(actor)})
    return contact


@atomic_without_savepoint
def contact_resolve_identity(*, inbox, kind: str, source_id: str, network: str = "", name: str = "", email: str = "",
                             phone: str = "", language: str = "") -> Contact:
    """Return the contact behind (inbox, kind, network, source_id), creating contact and identity as needed.

    An email address or phone number (in any spelling: it is normalised to E.164) already
    known in another inbox, or on a contact, is the same person, so the new identity joins
    that contact rather than splitting the customer in two. `language` (the customer's browser's, say)
    is kept for a contact who has none yet, so mail to them is written in it. `kind` may be an old channel-named
    kind ("whatsapp" is a phone number, "telegram" a handle on telegram).
    """
    kind, network = identity_kind(kind, network)
    source_id = _normalize_source_id(kind, source_id)
    if not source_id:
        raise ValidationFailed(gettext("An identity needs a source id."), extra={"source_id": "required"})
    identity = (ContactIdentity.objects.select_related("contact")
                .filter(inbox=inbox, kind=kind, network=network, source_id=source_id).first())
    if identity:
        return contact_language_keep(contact=surviving(identity.contact), language=language)
    phone = phone_normalize(phone) or (source_id if kind == IdentityKind.PHONE else "")
    email = email.strip().lower() or (source_id if kind == IdentityKind.EMAIL else "")
    contact = None
    if kind in GLOBAL_IDENTITY_KINDS:
        known = ContactIdentity.objects.select_related("contact").filter(kind=kind, source_id=source_id).first()
        contact = surviving(known.contact) if known else None
    for field, value in (("email", email), ("phone", phone)):
        if contact is None and value:
            contact = Contact.objects.filter(**{field: value}, merged_into__isnull=True).first()
    if contact is None:
        contact = contact_create(name=name or (source_id.split("@")[0] if kind == IdentityKind.EMAIL else source_id),
                                 email=email, phone=phone)
    elif name and not contact.name:
        contact.name = name
        contact.save(update_fields=["name", "updated_at"])
    ContactIdentity.objects.create(contact=contact, inbox=inbox, kind=kind, network=network, source_id=source_id)
    return contact_language_keep(contact=contact, language=language)


def contact_language_keep(*, contact: Contact, language: str) -> Contact:
    """Remember the language a customer showed (their browser's) when none is stored; a stored one is their choice."""
    if language and not contact.language and language in offered_languages():
        contact.language = language
        contact.save(update_fields=["language", "updated_at"])
    return contact


@transaction.atomic
def contact_merge(*, keep: Contact, merge: Contact, actor=None) -> Contact:
    """Move every identity and conversation of `merge` onto `keep`; `merge` stays as a pointer.

    `actor` None is the system (an importer, an automation); a person needs `contact.merge`.
    """
    if actor is not None:
        require(actor, "contact.merge")
    if keep.pk == merge.pk:
        raise ValidationFailed(gettext("A contact cannot be merged into itself."), extra={"merge": "same contact"})
    if merge.merged_into_id:
        raise ValidationFailed(gettext("That contact was already merged."), extra={"merge": "already merged"})
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
    events.publish("contact.merged", {"contact_id": keep.pk, "merged_id": merge.pk, "actor": actors.describe(actor)})
    return keep


@transaction.atomic
def contact_set_segments(*, contact: Contact, segments: list[Segment], actor=None) -> Contact:
    """Replace the segments a contact belongs to."""
    old = sorted(contact.segments.values_list("name", flat=True))
    new = sorted(s.name for s in segments)
    if old != new:
        contact.segments.set(segments)
        audit_record(actor=actor, action="contact.updated", target=contact, changes={"segments": [old, new]})
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, actor=None) -> None:
    """Delete a contact who has no conversations; one with history is merged instead, never silently erased."""
    from parley.conversations.models import Conversation

    if Conversation.objects.filter(contact=contact).exists():
        raise ValidationFailed(gettext("This contact has conversations; merge the contact into another instead."),
                               extra={"contact": "has conversations"}, status=409)
    audit_record(actor=actor, action="contact.deleted", target=contact, changes={"name": contact.name, "email": contact.email})
    contact.delete()


@transaction.atomic
def organization_create(*, name: str, domain: str = "", custom_attributes: dict | None = None, actor=None) -> Organization:
    """Create an organization; names are unique regardless of case."""
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("An organization needs a name."), extra={"name": "required"})
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(gettext("An organization with this name exists."), extra={"name": "taken"})
    organization = Organization.objects.create(name=name, domain=domain.strip().lower(), custom_attributes=custom_attributes or {})
    audit_record(actor=actor, action="organization.created", target=organization)
    return organization


@transaction.atomic
def segment_create(*, name: str, color: str = "#6b7280", actor=None) -> Segment:
    """Create a segment (VIP, Enterprise …); names are unique regardless of case."""
    name = name.strip()
    if not name:
        raise ValidationFailed(gettext("A segment needs a name."), extra={"name": "required"})
    if Segment.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(gettext("A segment with this name exists."), extra={"name": "taken"})
    segment = Segment.objects.create(name=name, color=color)
    audit_record(actor=actor, action="segment.created", target=segment)
    return segment


def _address_state_set(record: EmailAddressStatus, *, state: str, reason: str, actor, changes: dict) -> None:
    """Save an address's new state, audit it, and tell the screens of every contact with that address."""
    old = record.state
    record.state, record.reason = state, reason[:2000]
    record.save()
    audit_record(actor=actor, action="email_address.state_changed", target=record,
                 changes={"address": record.address, "state": [old, state], **changes})
    contact_ids = {*Contact.objects.filter(email=record.address, merged_into__isnull=True).values_list("pk", flat=True),
                   *ContactIdentity.objects.filter(kind=IdentityKind.EMAIL, source_id=record.address)
                   .values_list("contact_id", flat=True)}
    for contact_id in sorted(contact_ids):
        events.publish("contact.updated", {"contact_id": contact_id, "fields": ["email_status"], "actor": actors.describe(actor)})


@transaction.atomic
def email_address_complained(*, address: str, reason: str, actor=actors.SYSTEM) -> EmailAddressStatus:
    """Mark an address as having reported our mail as spam: the customer is unsubscribed, agents are warned."""
    address = address.strip().lower()
    if not address:
        raise ValidationFailed(gettext("A complaint needs the address it is about."), extra={"address": "required"})
    record, _ = EmailAddressStatus.objects.select_for_update().get_or_create(address=address)
    if record.state != AddressState.COMPLAINED:
        _address_state_set(record, state=AddressState.COMPLAINED, reason=reason, actor=actor, changes={})
    return record


@transaction.atomic
def email_address_hard_bounced(*, address: str, reason: str, actor=actors.SYSTEM) -> EmailAddressStatus:
    """Count one hard bounce of an address; at PARLEY_HARD_BOUNCE_LIMIT it is marked undeliverable.

    A complaint outranks undeliverable: an address that reported spam stays complained.
    """
    address = address.strip().lower()
    if not address:
        raise ValidationFailed(gettext("A bounce needs the address it is about."), extra={"address": "required"})
    record, _ = EmailAddressStatus.objects.select_for_update().get_or_create(address=address)
    record.hard_bounces += 1
    if record.state == AddressState.OK and record.hard_bounces >= settings.PARLEY_HARD_BOUNCE_LIMIT:
        _address_state_set(record, state=AddressState.UNDELIVERABLE, reason=reason, actor=actor,
                           changes={"hard_bounces": record.hard_bounces})
    else:
        record.save(update_fields=["hard_bounces", "updated_at"])
    return record


@transaction.atomic
def email_address_reset(*, address: str, actor) -> EmailAddressStatus | None:
    """Mark an address deliverable again (the customer fixed their mailbox, or asked for mail again).

    Clears the hard bounce count too, so the limit counts from here. Returns None for an address
    nothing was known about.
    """
    require(actor, "contact.edit")
    record = EmailAddressStatus.objects.select_for_update().filter(address=address.strip().lower()).first()
    if record is None or (record.state == AddressState.OK and not record.hard_bounces):
        return record
    record.hard_bounces = 0
    _address_state_set(record, state=AddressState.OK, reason="", actor=actor, changes={"hard_bounces": 0})
    return record
