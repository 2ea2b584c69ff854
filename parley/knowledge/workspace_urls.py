from django.urls import path

from parley.knowledge import workspace_views as views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="articles"),
    path("new/", views.article_new, name="article-new"),
    path("structure/", views.structure, name="structure"),
    path("report/", views.report, name="report"),
    path("links/", views.link_picker, name="link-picker"),
    path("from-message/<int:message_id>/", views.article_from_message, name="from-message"),
    path("<int:article_id>/", views.article_edit, name="article"),
    path("<int:article_id>/images/", views.image_upload, name="image-upload"),
    path("<int:article_id>/versions/<int:version_id>/", views.version_detail, name="version"),
    path("<int:article_id>/versions/<int:version_id>/restore/", views.version_restore, name="version-restore"),
]
