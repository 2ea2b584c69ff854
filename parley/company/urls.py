from django.urls import path

from parley.company import views

app_name = "company"
urlpatterns = [
    path("logo/<int:version>/", views.logo, name="logo"),
]
