"""Reads of contacts that views and the API share."""
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from parley.contacts.models import AddressState, Contact, ContactIdentity, EmailAddressStatus, IdentityKind
from parley.core.phones import phone_in_text


def contact_ids_with_phone(e164: str) -> set[int]:
    """Return ids of the contacts with this E.164 number, on their profile or as an identity (two indexed lookups)."""
    return {*Contact.objects.filter(phone=e164).values_list("pk", flat=True),
            *ContactIdentity.objects.filter(kind=IdentityKind.PHONE, source_id=e164).values_list("contact_id", flat=True)}


def contact_list(*, text: str = "", email: str = "", organization_id: int | None = None, segment_id: int | None = None) -> QuerySet:
    """Return live (not merged-away) contacts matching every given filter; `text` looks in name, email, phone and organization.

    A phone number in any common spelling ("+49 30 1234567", "030 1234567" in the default
    region, "(202) 555-0143") finds the customer with that number.
    """
    contacts = (Contact.objects.filter(merged_into__isnull=True).select_related("organization")
                .prefetch_related("segments", "identities"))
    if text.strip():
        text = text.strip()
        condition = (Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
                     | Q(organization__name__icontains=text))
        if e164 := phone_in_text(text):
            condition |= Q(pk__in=contact_ids_with_phone(e164))
        contacts = contacts.filter(condition)
    if email:
        contacts = contacts.filter(email=email.strip().lower())
    if organization_id:
        contacts = contacts.filter(organization_id=organization_id)
    if segment_id:
        contacts = contacts.filter(segments__pk=segment_id)
    return contacts


def contact_directory(*, text: str = "", segment_id: int | None = None) -> QuerySet:
    """Return live contacts for the customers directory, with their conversation count and last activity, most recent first."""
    return (contact_list(text=text, segment_id=segment_id)
            .annotate(conversation_count=Count("conversations", distinct=True),
                      last_activity=Max("conversations__last_message_at"))
            .order_by(F("last_activity").desc(nulls_last=True), "name", "id"))


def contact_identities(*, contact_id: int) -> QuerySet:
    """Return every way a contact is known (email, phone, chat visitor …), with the inbox of each."""
    return ContactIdentity.objects.filter(contact_id=contact_id).select_related("inbox").order_by("kind", "source_id")


def with_email_status(contacts: QuerySet) -> QuerySet:
    """Annotate contacts with their email address's state, reason and hard bounces, in the same query."""
    status = EmailAddressStatus.objects.filter(address=OuterRef("email"))
    return contacts.annotate(email_state=Subquery(status.values("state")[:1]),
                             email_state_reason=Subquery(status.values("reason")[:1]),
                             email_hard_bounces=Subquery(status.values("hard_bounces")[:1]))


def email_address_status(*, address: str) -> EmailAddressStatus:
    """Return what is known about mail to `address`; an unknown address is deliverable (an unsaved "ok" record)."""
    address = (address or "").strip().lower()
    known = EmailAddressStatus.objects.filter(address=address).first() if address else None
    return known or EmailAddressStatus(address=address, state=AddressState.OK)
