"""Schedules of the core app: keeping the event log from growing without end."""
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parley.core import jobs
from parley.core.events import FAN_OUT_QUEUE
from parley.core.models import Event, Job


@jobs.every(3600)
def events_prune() -> int:
    """Delete events older than the retention that no durable subscriber still has to take."""
    cutoff = timezone.now() - timedelta(days=settings.PARLEY_EVENT_RETENTION_DAYS)
    pending = Job.objects.filter(Q(queue=FAN_OUT_QUEUE) | Q(queue__startswith="event:"), target_id=OuterRef("pk"))
    old = Event.objects.filter(created_at__lt=cutoff).exclude(Exists(pending))
    return old.delete()[0]
