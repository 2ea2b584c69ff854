from django.urls import path

from parley.community import views

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("t/<str:slug>/", views.topic, name="topic"),
    path("t/<str:slug>/ask/", views.ask, name="ask"),
    path("q/<int:question_id>/", views.question, name="question"),
    path("q/<int:question_id>/answer/", views.answer, name="answer"),
    path("answers/<int:answer_id>/vote/", views.vote, name="vote"),
    path("answers/<int:answer_id>/accept/", views.accept, name="accept"),
]
