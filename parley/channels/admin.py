import json

from django.contrib import admin, messages
from django.utils.html import format_html

from parley.channels.config import config_masked
from parley.channels.models import EnvelopeStatus, InboundEnvelope, Inbox, InboxAddress
from parley.channels.services import envelope_retry
from parley.core.admin import ParleyAdmin


class InboxAddressInline(admin.TabularInline):
    model = InboxAddress
    extra = 0
    fields = ("kind", "address")
    readonly_fields = fields


@admin.register(Inbox)
class InboxAdmin(ParleyAdmin):
    """Inboxes are read here; they are created and changed in Settings → Inboxes, which checks and encrypts the settings."""

    list_display = ("name", "kind", "default_team", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    # The stored configuration holds encrypted credentials: the admin shows it masked, never the column itself.
    exclude = ("signing_secret", "config")
    readonly_fields = ("key", "settings_masked")
    inlines = [InboxAddressInline]

    @admin.display(description="configuration")
    def settings_masked(self, inbox: Inbox) -> str:
        return format_html("<pre>{}</pre>", json.dumps(config_masked(inbox)[0], indent=2, ensure_ascii=False))


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

