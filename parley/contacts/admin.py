from django.contrib import admin

from parley.contacts.models import Contact, ContactIdentity, EmailAddressStatus, Organization, Segment
from parley.core.admin import ParleyAdmin


@admin.register(Organization)
class OrganizationAdmin(ParleyAdmin):
    editable = True
    list_display = ("name", "domain", "created_at")
    search_fields = ("name", "domain")


@admin.register(Segment)
class SegmentAdmin(ParleyAdmin):
    editable = True
    list_display = ("name", "color")


class IdentityInline(admin.TabularInline):
    model = ContactIdentity
    extra = 0
    fields = ("kind", "source_id", "inbox", "created_at")
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(ParleyAdmin):
    list_display = ("__str__", "email", "phone", "organization", "merged_into", "created_at")
    search_fields = ("name", "email", "phone")
    list_filter = ("segments",)
    inlines = [IdentityInline]


@admin.register(EmailAddressStatus)
class EmailAddressStatusAdmin(ParleyAdmin):
    list_display = ("address", "state", "hard_bounces", "reason", "updated_at")
    list_filter = ("state",)
    search_fields = ("address",)
