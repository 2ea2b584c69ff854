from django.urls import path

from parley.sla import views

app_name = "sla"
urlpatterns = [
    path("sla/", views.policy_list, name="policies"),
    path("sla/new/", views.policy_edit, name="policy-new"),
    path("sla/<int:policy_id>/", views.policy_edit, name="policy"),
    path("sla/escalation/", views.step_save, name="step-save"),
    path("sla/escalation/<int:step_id>/delete/", views.step_delete, name="step-delete"),
]
