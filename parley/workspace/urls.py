from django.contrib.auth import views as auth_views
from django.urls import path

from parley.workspace import views

app_name = "workspace"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("", views.home, name="home"),
]
