from django.urls import path

from parley.knowledge import views

app_name = "help"
urlpatterns = [
    path("search/", views.help_search, name="search"),
    path("suggest/", views.suggestions, name="suggest"),
    path("a/<str:slug>/", views.article, name="article"),
    path("a/<str:slug>/feedback/", views.article_feedback, name="feedback"),
    path("images/<uuid:public_id>/", views.article_image, name="image"),
]
