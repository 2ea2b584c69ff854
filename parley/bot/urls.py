from django.urls import path

from parley.bot import views

app_name = "bot"
urlpatterns = [
    path("", views.bot_inboxes, name="inboxes"),
    path("<int:inbox_id>/", views.bot_settings, name="settings"),
]
