from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from parley.api.main import api
from parley.channels.webhooks import channel_webhook

urlpatterns = [
    # The admin site's own form would sign in with the password alone: everyone signs in through the workspace,
    # where two-factor and single sign-on apply.
    path("admin/login/", RedirectView.as_view(pattern_name="workspace:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("portal/", include("parley.portal.urls")),
    path("company/", include("parley.company.urls")),
    path("telephony/", include("parley.channels.voice.urls")),
    path("surveys/", include("parley.surveys.urls")),
    path("analytics/", include("parley.analytics.urls")),
    path("portal/help/", include("parley.knowledge.urls")),
    path("portal/community/", include("parley.community.urls")),
    path("knowledge/", include("parley.knowledge.workspace_urls")),
    path("bot/", include("parley.bot.urls")),
    path("community/", include("parley.community.workspace_urls")),
    # Every channel's inbound endpoints, found through the adapter registry at request time.
    path("channels/<str:kind>/<path:rest>", channel_webhook, name="channel-webhook"),
    path("", include("parley.channels.chat.urls")),
    path("", include("parley.automation.urls")),
    path("settings/", include("parley.routing.urls")),
    path("settings/", include("parley.sla.urls")),
    path("", include("parley.workspace.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
