from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from parley.channels.chat.consumers import VisitorConsumer
from parley.realtime.consumers import WorkspaceConsumer

websocket_urlpatterns = [
    # The workspace is only ever opened from Parley's own pages.
    path("ws/workspace/", AllowedHostsOriginValidator(WorkspaceConsumer.as_asgi())),
    # Widgets run on customers' sites: the consumer checks the Origin against the inbox's allowed origins.
    path("ws/chat/<str:key>/", VisitorConsumer.as_asgi()),
]
