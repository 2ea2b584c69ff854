from django.urls import path

from parley.community import workspace_views as views

app_name = "community-moderation"
urlpatterns = [
    path("", views.moderation, name="home"),
    path("topics/", views.topic_new, name="topic-new"),
    path("q/<int:question_id>/<slug:action>/", views.question_action, name="question"),
    path("answers/<int:answer_id>/<slug:action>/", views.answer_action, name="answer"),
]
