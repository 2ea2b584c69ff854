from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from parley.api.main import api
from parley.realtime.relay import receive_relayed_event

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("internal/events/", receive_relayed_event, name="event-relay"),
    path("portal/", include("parley.portal.urls")),
    path("channels/email/", include("parley.channels.email.urls")),
    path("", include("parley.workspace.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
