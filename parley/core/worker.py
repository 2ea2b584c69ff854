"""The worker: threads that claim due jobs from the database and run them, and the schedules.

Any number of worker processes may run against one database: claims are leases, so each job
runs in one place at a time, and each schedule's turn goes to one worker. An exception in a job
is recorded on the job; an exception outside one (the database going away) is logged and the
thread carries on after a pause, so no single bad entry or outage stops a worker.
"""
from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections, connections
from django.db.models import Q
from django.utils import timezone

from parley.core import jobs, wakeup
from parley.core.sqlite3 import base as sqlite_locking
from parley.core.models import Job

logger = logging.getLogger(__name__)

#: Jobs one thread claims at a time: small, so a burst spreads over the threads.
BATCH = 5
IDLE_WAIT_SECONDS = 1.0
ERROR_PAUSE_SECONDS = 2.0
#: How often the schedule thread looks for due periodic work: each look is a (tiny) write.
SCHEDULE_CHECK_SECONDS = 1.0


def any_due() -> bool:
    """Return whether a job is due and unclaimed (a read: it never blocks a writer)."""
    now = timezone.now()
    return Job.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
                              dead_at__isnull=True, due_at__lte=now).exists()


def _work(stop: threading.Event, *, runs_schedules: bool) -> None:
    next_schedule_check = 0.0
    while not stop.is_set():
        try:
            if runs_schedules and time.monotonic() >= next_schedule_check:
                next_schedule_check = time.monotonic() + SCHEDULE_CHECK_SECONDS
                jobs.run_schedules()
            claimed = jobs.run_due(limit=BATCH)
            if not claimed and not any_due():
                wakeup.wait(IDLE_WAIT_SECONDS)
        except Exception:
            logger.exception("the worker loop failed; trying again shortly")
            close_old_connections()
            stop.wait(ERROR_PAUSE_SECONDS)
    connections.close_all()


def run(*, concurrency: int, stop: threading.Event, schedules: bool = True) -> None:
    """Run `concurrency` job threads until `stop` is set; one of them also runs the schedules."""
    jobs.autodiscover()
    sqlite_locking.run_in_background()
    freed = jobs.release_orphans()
    if freed:
        logger.warning("freed %s job(s) that a stopped worker on this host still held", freed)
    threads = [threading.Thread(target=_work, args=(stop,), kwargs={"runs_schedules": schedules and n == 0},
                                name=f"parley-worker-{n}", daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)
