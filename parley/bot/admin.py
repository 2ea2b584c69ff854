from django.contrib import admin

from parley.bot.models import BotSettings, BotTurn

admin.site.register(BotSettings)


@admin.register(BotTurn)
class BotTurnAdmin(admin.ModelAdmin):
    list_display = ("conversation", "outcome", "score", "created_at")
    list_filter = ("outcome",)
