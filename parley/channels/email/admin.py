from django.contrib import admin

from parley.channels.email.models import EmailInboxState, UnmatchedBounce
from parley.core.admin import ParleyAdmin


@admin.register(EmailInboxState)
class EmailInboxStateAdmin(admin.ModelAdmin):
    list_display = ("inbox", "last_success_at", "last_error_at", "last_error", "failures", "next_poll_at")
    readonly_fields = ("inbox", "last_success_at", "last_error", "last_error_at", "last_uid", "uidvalidity",
                       "failures", "next_poll_at", "polling_until")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(UnmatchedBounce)
class UnmatchedBounceAdmin(ParleyAdmin):
    list_display = ("recipient", "subject", "category", "hard", "inbox", "received_at")
    list_filter = ("hard", "category")
    search_fields = ("recipient", "subject")
