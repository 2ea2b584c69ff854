from django.urls import path

from parley.routing import views

app_name = "routing"
urlpatterns = [
    path("routing/", views.routing_home, name="home"),
    path("routing/skills/", views.skill_create, name="skill-create"),
    path("routing/agents/<int:agent_id>/", views.agent_edit, name="agent"),
    path("routing/<scope>/<int:target_id>/", views.policy_save, name="policy"),
    path("calendars/", views.calendar_list, name="calendars"),
    path("calendars/new/", views.calendar_edit, name="calendar-new"),
    path("calendars/<int:calendar_id>/", views.calendar_edit, name="calendar"),
    path("calendars/<int:calendar_id>/holidays/", views.holiday_add, name="holiday-add"),
    path("calendars/<int:calendar_id>/holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday-delete"),
]
