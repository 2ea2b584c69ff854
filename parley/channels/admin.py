from django.contrib import admin, messages

from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox
from parley.channels.services import envelope_retry
from parley.core.admin import ParleyAdmin


@admin.register(Inbox)
class InboxAdmin(ParleyAdmin):
    list_display = ("name", "kind", "default_team", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    exclude = ("signing_secret",)
    readonly_fields = ("key",)


@admin.register(InboundEnvelope)
class InboundEnvelopeAdmin(ParleyAdmin):
    """Every raw inbound payload; failed ones show their error and can be retried."""

    list_display = ("id", "inbox", "external_id", "status", "last_error", "received_at")
    list_filter = ("status", "inbox")
    search_fields = ("external_id", "last_error")
    exclude = ("raw",)
    actions = ["retry"]

    @admin.action(description="Retry the selected failed envelopes")
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=EnvelopeStatus.FAILED))
        for envelope in failed:
            envelope_retry(envelope=envelope, actor=request.user)
        skipped = queryset.count() - len(failed)
        self.message_user(request, f"Queued {len(failed)} envelope(s) again." + (f" {skipped} had not failed and were left alone." if skipped else ""),
                          messages.SUCCESS)

