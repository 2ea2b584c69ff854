"""Writes of the SMS channel: recording a customer's STOP and START."""
from django.db import transaction
from django.utils import timezone

from parley.channels.sms.models import SmsOptOut


@transaction.atomic
def sms_opt_out_set(*, inbox, number: str, opted_out: bool, keyword: str, at=None) -> SmsOptOut:
    """Record that `number` opted out of (STOP) or back into (START) `inbox`'s messages; a repeat changes nothing."""
    record, created = SmsOptOut.objects.select_for_update().get_or_create(
        inbox=inbox, number=number, defaults={"opted_out": opted_out, "keyword": keyword, "changed_at": at or timezone.now()})
    if not created and record.opted_out != opted_out:
        record.opted_out, record.keyword, record.changed_at = opted_out, keyword, at or timezone.now()
        record.save(update_fields=["opted_out", "keyword", "changed_at"])
    return record
