"""Who is looking at which conversation, and which agents have a workspace tab open, kept in the database so
every web process sees every viewer and every tab."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parley.realtime.models import AgentSocket, Viewer

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


def socket_open(channel_name: str, user_id: int) -> None:
    """Record an agent's workspace tab (again, on each ping: it is still there)."""
    AgentSocket.objects.update_or_create(channel_name=channel_name, defaults={"user_id": user_id, "seen_at": timezone.now()})


def socket_close(channel_name: str) -> None:
    AgentSocket.objects.filter(channel_name=channel_name).delete()


def has_open_socket(user_id: int) -> bool:
    return AgentSocket.objects.filter(user_id=user_id, seen_at__gte=timezone.now() - timedelta(seconds=STALE_SECONDS)).exists()


def sweep_stale_sockets() -> set[int]:
    """Forget tabs not heard from (their process died); return the agents left with no tab at all."""
    stale = AgentSocket.objects.filter(seen_at__lt=timezone.now() - timedelta(seconds=STALE_SECONDS))
    user_ids = set(stale.values_list("user_id", flat=True))
    stale.delete()
    return {user_id for user_id in user_ids if not AgentSocket.objects.filter(user_id=user_id).exists()}
