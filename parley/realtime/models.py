"""Rows that carry channel-layer messages between processes on the embedded default."""
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class LayerMessage(models.Model):
    """One `group_send` written by some process, for every web process to deliver to its local sockets.

    Kept for about a minute: web processes read new rows within a fraction of a second,
    and a row nobody read in that time is a live update nobody is waiting for.
    """

    group = models.CharField(max_length=100)
    message = models.JSONField(encoder=DjangoJSONEncoder)
    #: The layer that wrote it; that process delivered it to its own sockets already.
    origin = models.CharField(max_length=32)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.group} #{self.pk}"


class Viewer(models.Model):
    """One socket viewing one conversation: presence reads these, so agents on any web process see each other."""

    channel_name = models.CharField(max_length=200, unique=True)
    conversation_id = models.BigIntegerField(db_index=True)
    user_id = models.BigIntegerField()
    name = models.CharField(max_length=150)
    #: Refreshed by the socket's pings; a tab that crashed stops refreshing and drops out.
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name} on #{self.conversation_id}"


class LayerListener(models.Model):
    """A web process holding sockets, so other processes know whether writing a `LayerMessage` reaches anyone."""

    origin = models.CharField(max_length=32, primary_key=True)
    #: Refreshed every few seconds while the process tails; a process that died stops refreshing.
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.origin


class AgentSocket(models.Model):
    """One open workspace tab of an agent: when an agent's last one closes, they can go offline."""

    channel_name = models.CharField(max_length=200, unique=True)
    user_id = models.BigIntegerField(db_index=True)
    #: Refreshed by the socket's pings; a tab whose process died stops refreshing and is swept.
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"agent {self.user_id}: {self.channel_name}"
