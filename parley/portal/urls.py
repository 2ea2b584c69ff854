from django.urls import path

from parley.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
    path("login/", views.login, name="login"),
    path("login/<str:token>/", views.login_confirm, name="login_confirm"),
    path("logout/", views.logout, name="logout"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:conversation_id>/", views.request_detail, name="request"),
    path("requests/<int:conversation_id>/attachments/<int:attachment_id>/", views.request_attachment, name="attachment"),
]
