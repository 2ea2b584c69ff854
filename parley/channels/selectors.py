"""Reads of inboxes that channels share: which inbox receives on an address, the settings list."""
from parley.channels.addresses import address_normalize
from parley.channels.models import Inbox, InboxAddress


def inbox_for(*, kind: str, address: str) -> Inbox | None:
    """Return the active inbox receiving on `address` of `kind` (email, phone, page, username), or None.

    One indexed lookup in the address index, however many inboxes there are.
    """
    try:
        key = address_normalize(kind, address)
    except ValueError:
        return None
    found = (InboxAddress.objects.filter(kind=kind, address=key, inbox__is_active=True)
             .select_related("inbox").first())
    return found.inbox if found else None


def inbox_list():
    """Return every inbox with its default team and addresses, for the settings list."""
    return Inbox.objects.select_related("default_team").prefetch_related("addresses")
