from django.urls import path

from parley.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("now/", views.now, name="now"),
    path("drill/<slug:key>/", views.drill, name="drill"),
    path("export/<slug:report>.csv", views.export, name="export"),
    path("subscription/", views.subscription, name="subscription"),
]
