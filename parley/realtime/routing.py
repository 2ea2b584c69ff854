from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from parley.channels.chat.consumers import VisitorConsumer
from parley.realtime.consumers import WorkspaceConsumer

websocket_urlpatterns = [
    # The workspace is only ever opened from Parley's own pages, by a logged-in agent.
    path("ws/workspace/", AuthMiddlewareStack(AllowedHostsOriginValidator(WorkspaceConsumer.as_asgi()))),
    # Widgets run on customers' sites: the consumer checks the Origin against the inbox's allowed origins.
    # No session or user: a visitor is their signed token, and thousands of widget sockets should not
    # each load a session on the database thread nor keep copies of a scope they never read.
    path("ws/chat/<str:key>/", VisitorConsumer.as_asgi()),
]
