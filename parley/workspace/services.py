"""Writes the workspace makes on its own behalf (not on conversations): reading notifications."""
from django.utils import timezone

from parley.accounts.models import User
from parley.conversations.models import Notification


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; return how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
