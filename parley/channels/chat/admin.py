from django.contrib import admin

from parley.channels.chat.models import ChatRating, ChatVisitor
from parley.core.admin import ParleyAdmin


@admin.register(ChatVisitor)
class ChatVisitorAdmin(ParleyAdmin):
    list_display = ("public_id", "inbox", "contact", "verified_id", "last_seen_at")
    list_filter = ("inbox",)
    search_fields = ("public_id", "verified_id", "email")


@admin.register(ChatRating)
class ChatRatingAdmin(ParleyAdmin):
    list_display = ("conversation", "score", "created_at")
    list_filter = ("score",)
