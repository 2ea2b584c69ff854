"""Who is looking at which conversation, kept in the database so every web process sees every viewer."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parley.realtime.models import Viewer

#: A viewer not heard from for this long is gone (a crashed tab never says goodbye).
STALE_SECONDS = 90


@transaction.atomic
def join(conversation_id: int, channel_name: str, user_id: int, name: str) -> list[dict]:
    """Record that the socket `channel_name` views the conversation (again: a ping); return its viewers."""
    now = timezone.now()
    Viewer.objects.update_or_create(channel_name=channel_name, defaults={
        "conversation_id": conversation_id, "user_id": user_id, "name": name, "seen_at": now})
    # Sockets of a crashed process or tab leave nothing else behind.
    Viewer.objects.filter(seen_at__lt=now - timedelta(seconds=2 * STALE_SECONDS)).delete()
    return viewers_of(conversation_id)


def leave(conversation_id: int, channel_name: str) -> list[dict]:
    """Record that the socket stopped viewing the conversation; return who still views it."""
    Viewer.objects.filter(channel_name=channel_name, conversation_id=conversation_id).delete()
    return viewers_of(conversation_id)


def viewers_of(conversation_id: int) -> list[dict]:
    """Return one entry per agent viewing (an agent with two tabs counts once), by name."""
    recent = timezone.now() - timedelta(seconds=STALE_SECONDS)
    people = {user_id: {"user_id": user_id, "name": name} for user_id, name in
              Viewer.objects.filter(conversation_id=conversation_id, seen_at__gte=recent).values_list("user_id", "name")}
    return sorted(people.values(), key=lambda viewer: viewer["name"])
