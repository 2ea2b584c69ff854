"""Reads of the SMS channel: whether a number opted out of an inbox's messages."""
from parley.channels.sms.models import SmsOptOut


def sms_opt_out_for(*, inbox, number: str) -> SmsOptOut | None:
    """Return the opt-out in force for `number` on `inbox` (it texted STOP and not START since), or None."""
    return SmsOptOut.objects.filter(inbox=inbox, number=number, opted_out=True).first()
