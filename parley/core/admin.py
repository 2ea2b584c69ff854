"""Django admin for the audit log, and the base class every Parley admin page uses."""
from django.contrib import admin

from parley.accounts.permissions import can
from parley.core.models import AuditEntry


class ParleyAdmin(admin.ModelAdmin):
    """Let Parley admins (the role, not only superusers) use the admin; read-only unless `editable`.

    Records with a service (conversations, messages, agents …) are created and changed
    through it, never by the admin's generic forms, so only plain settings are editable.
    """

    editable = False

    def has_module_permission(self, request):
        return can(request.user, "inbox.manage")

    def has_view_permission(self, request, obj=None):
        return can(request.user, "inbox.manage")

    def has_add_permission(self, request):
        return self.editable and can(request.user, "inbox.manage")

    def has_change_permission(self, request, obj=None):
        return self.editable and can(request.user, "inbox.manage")

    def has_delete_permission(self, request, obj=None):
        return self.editable and can(request.user, "inbox.manage")


@admin.register(AuditEntry)
class AuditEntryAdmin(ParleyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "action")
    date_hierarchy = "created_at"
