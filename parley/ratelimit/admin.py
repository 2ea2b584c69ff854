from django.contrib import admin

from parley.ratelimit.models import RateCounter


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    list_display = ("key", "window", "hits", "expires_at")
