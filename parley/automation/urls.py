from django.urls import path

from parley.automation import views

app_name = "automation"
urlpatterns = [
    path("settings/automations/", views.rule_list, name="rules"),
    path("settings/automations/new/<slug:kind>/", views.rule_new, name="rule-new"),
    path("settings/automations/preview/<slug:kind>/", views.rule_preview, name="rule-preview"),
    path("settings/automations/<int:rule_id>/", views.rule_edit, name="rule"),
    path("settings/automations/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("settings/canned-responses/", views.canned_response_list, name="canned-responses"),
    path("settings/canned-responses/<int:pk>/", views.canned_response_edit, name="canned-response"),
    path("settings/canned-responses/<int:pk>/delete/", views.canned_response_delete, name="canned-response-delete"),
    path("settings/macros/", views.macro_list, name="macros"),
    path("settings/macros/<int:pk>/", views.macro_edit, name="macro"),
    path("settings/macros/<int:pk>/delete/", views.macro_delete, name="macro-delete"),
    path("settings/webhooks/", views.webhook_list, name="webhooks"),
    path("settings/webhooks/<int:pk>/", views.webhook_edit, name="webhook"),
    path("settings/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("settings/webhooks/deliveries/<int:delivery_id>/redeliver/", views.delivery_redeliver, name="delivery-redeliver"),
    path("c/<int:number>/canned-responses/search/", views.canned_response_search, name="canned-search"),
    path("c/<int:number>/macros/apply/", views.macro_apply, name="macro-apply"),
]
