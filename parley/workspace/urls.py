from django.contrib.auth import views as auth_views
from django.urls import path

from parley.workspace import bounce_views, customer_views, job_views, profile_views, settings_views, views

app_name = "workspace"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="workspace:login"), name="logout"),
    path("", views.conversation_list, name="home"),
    path("views/counts/", views.view_counts, name="view-counts"),
    path("c/<int:number>/", views.conversation_detail, name="conversation"),
    path("c/<int:number>/timeline/", views.conversation_timeline, name="timeline"),
    path("c/<int:number>/details/", views.conversation_details, name="details"),
    path("c/<int:number>/messages/<int:message_id>/images/", views.message_with_images, name="message-images"),
    path("c/<int:number>/customer/merge/", views.customer_merge, name="customer-merge"),
    path("c/<int:number>/<slug:action>/", views.conversation_action, name="action"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications-read"),
    path("customers/", customer_views.customer_list, name="customers"),
    path("customers/<int:contact_id>/", customer_views.customer_detail, name="customer"),
    path("customers/<int:contact_id>/email-status/reset/", customer_views.customer_email_status_reset,
         name="customer-email-status-reset"),
    path("settings/failed-jobs/", job_views.failed_job_list, name="failed-jobs"),
    path("settings/failed-jobs/<int:job_id>/retry/", job_views.failed_job_retry, name="failed-job-retry"),
    path("settings/bounces/", bounce_views.bounce_list, name="bounces"),
    path("settings/inboxes/", settings_views.inbox_list, name="inboxes-settings"),
    path("settings/inboxes/new/<slug:kind>/", settings_views.inbox_new, name="inbox-new"),
    path("settings/inboxes/<int:inbox_id>/", settings_views.inbox_edit, name="inbox-settings"),
    path("me/", profile_views.profile, name="profile"),
    path("me/availability/", views.availability_set, name="availability"),
    path("me/tokens/", profile_views.token_create, name="token-create"),
    path("me/tokens/<int:token_id>/revoke/", profile_views.token_revoke, name="token-revoke"),
]
