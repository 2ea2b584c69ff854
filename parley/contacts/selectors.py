"""Reads of contacts that views and the API share."""
from django.db.models import Q, QuerySet

from parley.contacts.models import Contact


def contact_list(*, text: str = "", email: str = "", organization_id: int | None = None, segment_id: int | None = None) -> QuerySet:
    """Return live (not merged-away) contacts matching every given filter; `text` looks in name, email and phone."""
    contacts = (Contact.objects.filter(merged_into__isnull=True).select_related("organization")
                .prefetch_related("segments", "identities"))
    if text.strip():
        text = text.strip()
        contacts = contacts.filter(Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text))
    if email:
        contacts = contacts.filter(email=email.strip().lower())
    if organization_id:
        contacts = contacts.filter(organization_id=organization_id)
    if segment_id:
        contacts = contacts.filter(segments__pk=segment_id)
    return contacts
