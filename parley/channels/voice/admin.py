from django.contrib import admin

from parley.channels.voice.models import AgentLine, Call, CallbackRequest, IvrFlow


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("started_at", "direction", "from_number", "to_number", "outcome", "agent", "wait_seconds", "talk_seconds")
    list_filter = ("direction", "outcome", "inbox")
    search_fields = ("call_sid", "from_number", "to_number")
    raw_id_fields = ("contact", "conversation", "agent", "team")


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "preferred_time", "created_at", "done_at", "done_by")
    raw_id_fields = ("call", "conversation")


admin.site.register(IvrFlow)
admin.site.register(AgentLine)
