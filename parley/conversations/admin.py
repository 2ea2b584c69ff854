from django.contrib import admin

from parley.conversations.models import Attachment, Conversation, CustomStatus, Message, Notification, Tag
from parley.core.admin import ParleyAdmin


@admin.register(CustomStatus)
class CustomStatusAdmin(ParleyAdmin):
    # Read-only, like tags: Settings → Statuses changes them through the services that audit them.
    list_display = ("name", "category")


@admin.register(Tag)
class TagAdmin(ParleyAdmin):
    search_fields = ("name",)


@admin.register(Conversation)
class ConversationAdmin(ParleyAdmin):
    list_display = ("number", "subject", "contact", "inbox", "status", "priority", "assignee", "team", "last_message_at")
    list_filter = ("status", "priority", "inbox")
    search_fields = ("subject", "contact__name", "contact__email")
    list_select_related = ("contact", "inbox", "assignee", "team")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("filename", "content_type", "size", "file")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ParleyAdmin):
    list_display = ("id", "conversation", "direction", "kind", "delivery_status", "created_at")
    list_filter = ("direction", "kind", "delivery_status")
    search_fields = ("external_id", "text")
    list_select_related = ("conversation",)
    inlines = [AttachmentInline]


@admin.register(Notification)
class NotificationAdmin(ParleyAdmin):
    list_display = ("recipient", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
