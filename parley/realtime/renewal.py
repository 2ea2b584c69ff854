"""Keeping a long-lived socket in its groups.

Channel layers forget a group membership `group_expiry` seconds after it was made (a day, in the
in-memory, database and Redis layers alike), whatever the socket does meanwhile: a workspace tab
left open overnight would go on showing "live" and hear nothing. Each socket joins its groups
again on a ping, once an hour, long before that.
"""
import time

RENEW_EVERY_SECONDS = 3600


class GroupRenewal:
    """When a socket last joined its groups; `due()` says when to join them again."""

    def __init__(self):
        self.joined_at = time.monotonic()

    def due(self) -> bool:
        if time.monotonic() - self.joined_at < RENEW_EVERY_SECONDS:
            return False
        self.joined_at = time.monotonic()
        return True


async def renew(layer, channel_name: str, groups) -> None:
    """Join `groups` again: a membership's clock starts over, one that expired comes back."""
    for group in groups:
        await layer.group_add(group, channel_name)
