"""Reads of the SMS channel: the number a conversation texts, and whether it opted out of an inbox's messages."""
from parley.channels.sms.models import SmsOptOut


def customer_number(conversation) -> str:
    """Return the number replies in `conversation` go to: the one the customer texted this inbox from, else their phone."""
    from parley.contacts.models import ContactIdentity

    texted = (ContactIdentity.objects.filter(contact_id=conversation.contact_id, inbox_id=conversation.inbox_id, kind="phone")
              .order_by("-id").values_list("source_id", flat=True).first())
    return texted or conversation.contact.phone


def sms_opt_out_for(*, inbox, number: str) -> SmsOptOut | None:
    """Return the opt-out in force for `number` on `inbox` (it texted STOP and not START since), or None."""
    return SmsOptOut.objects.filter(inbox=inbox, number=number, opted_out=True).first()
