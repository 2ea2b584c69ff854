from django.contrib import admin

from parley.channels.sms.models import SmsOptOut


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ("number", "inbox", "opted_out", "keyword", "changed_at")
    list_filter = ("opted_out", "inbox")
    search_fields = ("number",)
    # Opt-outs are the customer's word, recorded from their texts; nobody edits them by hand.
    readonly_fields = ("inbox", "number", "opted_out", "keyword", "changed_at")

    def has_add_permission(self, request) -> bool:
        return False
