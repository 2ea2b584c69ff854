from django.urls import path

from parley.channels.voice import views

app_name = "voice"
urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
    path("queues/<int:team_id>/take/", views.queue_take, name="queue-take"),
    path("callbacks/", views.callback_list, name="callbacks"),
    path("callbacks/<int:request_id>/done/", views.callback_done, name="callback-done"),
    path("c/<int:number>/call/", views.call_customer, name="call-customer"),
    path("inboxes/<int:inbox_id>/ivr/", views.ivr_edit, name="ivr"),
    path("me/line/", views.line_edit, name="line"),
]
