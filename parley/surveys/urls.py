from django.urls import path

from parley.surveys import views

app_name = "surveys"
urlpatterns = [
    path("answer/<str:token>/", views.answer, name="answer"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/campaigns/", views.campaign_new, name="campaign-new"),
    path("settings/campaigns/<int:campaign_id>/active/", views.campaign_set_active, name="campaign-active"),
]
