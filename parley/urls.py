from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from parley.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("portal/", include("parley.portal.urls")),
    path("channels/email/", include("parley.channels.email.urls")),
    path("", include("parley.workspace.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
