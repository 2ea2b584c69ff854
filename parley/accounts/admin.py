from django.contrib import admin

from parley.accounts.models import ApiToken, Team, User
from parley.core.admin import ParleyAdmin


@admin.register(User)
class UserAdmin(ParleyAdmin):
    list_display = ("name", "email", "role", "availability", "is_active", "date_joined")
    list_filter = ("role", "availability", "is_active")
    search_fields = ("name", "email")
    exclude = ("password",)


@admin.register(Team)
class TeamAdmin(ParleyAdmin):
    # Read-only: teams are managed in the workspace (Settings → Teams), through the services that audit them.
    list_display = ("name", "description")
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(ApiToken)
class ApiTokenAdmin(ParleyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    exclude = ("key_hash",)
