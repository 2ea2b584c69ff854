"""Schedules of the core app: keeping the event log from growing without end, and SQLite's planner informed."""
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
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


@jobs.every(86400)
def planner_statistics_refresh() -> None:
    statistics_refresh(connection)


def statistics_refresh(database: BaseDatabaseWrapper) -> None:
    """Refresh SQLite's statistics on tables and indexes (PostgreSQL's autovacuum keeps its own).

    Without them SQLite's planner takes any indexed condition for a selective one: the inbox's active list
    sorted every active conversation rather than reading the newest first, over 200 ms at 100 000.
    """
    if database.vendor == "sqlite":
        with database.cursor() as cursor:
            cursor.execute("ANALYZE")
