"""Who is looking at which conversation, kept in the shared cache so every web process sees it."""
import time

from django.core.cache import cache

#: A viewer not heard from for this long is gone (a crashed tab never says goodbye).
STALE_SECONDS = 90


def _key(conversation_id: int) -> str:
    return f"presence:{conversation_id}"


def join(conversation_id: int, channel_name: str, user_id: int, name: str) -> list[dict]:
    viewers = cache.get(_key(conversation_id), {})
    viewers[channel_name] = {"user_id": user_id, "name": name, "seen": time.time()}
    cache.set(_key(conversation_id), viewers, STALE_SECONDS * 2)
    return viewers_of(conversation_id)


def leave(conversation_id: int, channel_name: str) -> list[dict]:
    viewers = cache.get(_key(conversation_id), {})
    viewers.pop(channel_name, None)
    cache.set(_key(conversation_id), viewers, STALE_SECONDS * 2)
    return viewers_of(conversation_id)


def viewers_of(conversation_id: int) -> list[dict]:
    """Return one entry per agent viewing (an agent with two tabs counts once)."""
    now = time.time()
    people = {}
    for viewer in cache.get(_key(conversation_id), {}).values():
        if now - viewer["seen"] < STALE_SECONDS:
            people[viewer["user_id"]] = {"user_id": viewer["user_id"], "name": viewer["name"]}
    return sorted(people.values(), key=lambda v: v["name"])
