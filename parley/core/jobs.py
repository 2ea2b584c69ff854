"""The one retry mechanism: durable jobs in the database, claimed by workers with a lease.

A job names a queue and the id of the row it works on (an envelope to process, a message to
deliver, an event for one durable subscriber). It is written in the transaction of the change
that needs it, so nothing depends on a broker being up for the work to be safe. Workers claim
due jobs in batches (`UPDATE … RETURNING`; on PostgreSQL over `FOR UPDATE SKIP LOCKED`), and the
claim counts the attempt: a job whose worker died mid-way is claimed again when its lease runs
out, and after `max_attempts` claims it is dead-lettered instead of crashing workers forever.

A handler is a function of the target id, registered with `@handler("queue", ...)` in an app's
`tasks.py` (every app's `tasks` module is imported when Django starts). It returns normally when
the work is done (the job row is deleted), raises `Permanent` to dead-letter at once, and raises
anything else to be retried with exponential backoff. `on_dead` lets the owner of the target
row record the final failure where people look (a failed reply on the conversation, say).
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from parley.core.models import Job, Schedule

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
#: Who claims: this process on this host (see release_orphans).
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:120]


class Permanent(Exception):
    """Raise from a handler when trying again cannot help: the job goes to the dead letter at once."""


@dataclass(frozen=True)
class Handler:
    queue: str
    run: Callable[[int], object]
    max_attempts: int = 5
    backoff_seconds: float = 10
    on_dead: Callable[[int, str], None] | None = None
    #: What the target is, in words for the admin's failed-jobs screen, and where to look at it.
    describe: Callable[[int], tuple[str, str]] | None = None
    #: Undo what on_dead recorded when a dead job is retried (a failed reply is queued again).
    on_retry: Callable[[int], None] | None = None

    def delay_after(self, attempts: int) -> timedelta:
        return timedelta(seconds=self.backoff_seconds * 2 ** max(attempts - 1, 0))


_handlers: dict[str, Handler] = {}


def handler(queue: str, *, max_attempts: int = 5, backoff_seconds: float = 10,
            on_dead: Callable[[int, str], None] | None = None, describe: Callable[[int], tuple[str, str]] | None = None,
            on_retry: Callable[[int], None] | None = None):
    """Decorator: make `fn(target_id)` the handler of `queue`."""
    def register(fn):
        _handlers[queue] = Handler(queue, fn, max_attempts, backoff_seconds, on_dead, describe, on_retry)
        return fn
    return register


def handler_for(queue: str) -> Handler:
    try:
        return _handlers[queue]
    except KeyError:
        raise LookupError(f"no job handler for queue {queue!r}") from None


# --- enqueue -----------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _enqueue_sql(rows: int) -> str:
    values = ", ".join(["(%s, %s, %s, '', 0, '', %s)"] * rows)
    return (f"INSERT INTO {Job._meta.db_table} (queue, target_id, due_at, claimed_by, attempts, last_error, created_at) "
            f"VALUES {values} ON CONFLICT (queue, target_id) DO NOTHING")


def enqueue(queue: str, target_id: int, *, delay: timedelta | None = None) -> None:
    """Queue work on `target_id` in the current transaction; a job already queued for it is left as it is."""
    enqueue_many(queue, [target_id], delay=delay)


def enqueue_many(queue: str, target_ids: list[int], *, delay: timedelta | None = None) -> None:
    """Queue work on each of `target_ids` with one insert (a batch of assignments, say); see enqueue."""
    handler_for(queue)
    now = timezone.now()
    if not target_ids:
        return
    adapt = connection.ops.adapt_datetimefield_value
    due, created = adapt(now + (delay or timedelta())), adapt(now)
    # One plain statement: the ORM's bulk_create cost as much as storing the envelope it queues.
    with connection.cursor() as cursor:
        cursor.execute(_enqueue_sql(len(target_ids)),
                       [value for target_id in target_ids for value in (queue, target_id, due, created)])
    if delay is None:
        for target_id in target_ids:
            transaction.on_commit(lambda target_id=target_id: _after_commit(queue, target_id))


def enqueue_failed(queue: str, target_id: int, exc: Exception) -> None:
    """Queue work on `target_id` whose first attempt, made elsewhere, failed with `exc`: retried after backoff, or dead."""
    h = handler_for(queue)
    now = timezone.now()
    permanent = isinstance(exc, Permanent)
    reason = str(exc) if permanent else f"{type(exc).__name__}: {exc}"
    job, created = Job.objects.get_or_create(queue=queue, target_id=target_id, defaults={
        "due_at": now + h.delay_after(1), "attempts": 1, "last_error": reason[:4000], "created_at": now,
        "dead_at": now if permanent or h.max_attempts <= 1 else None})
    if created and job.dead_at is not None:
        _call_on_dead(h, target_id, reason)


def _after_commit(queue: str, target_id: int) -> None:
    if settings.PARLEY_JOBS_EAGER:
        # Tests and one-off scripts: run the job in this process as soon as its data is committed.
        run_one(queue, target_id)
    else:
        from parley.core import wakeup

        wakeup.notify()


# --- claim and run -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claimed:
    id: int
    queue: str
    target_id: int
    attempts: int


def _dead_letter_abandoned(now) -> None:
    """Dead-letter jobs whose last claim expired with no attempts left: their worker died on them."""
    if not _handlers:
        return
    # One read for every queue (it runs before each claim); each queue's own limit is applied here.
    fewest = min(h.max_attempts for h in _handlers.values())
    expired = Job.objects.filter(dead_at__isnull=True, claimed_until__lt=now, attempts__gte=fewest)
    for pk, queue, target_id, attempts in expired.values_list("pk", "queue", "target_id", "attempts"):
        h = _handlers.get(queue)
        if h is None or attempts < h.max_attempts:
            continue
        reason = f"the worker stopped while running it, {h.max_attempts} times"
        if Job.objects.filter(pk=pk, dead_at__isnull=True).update(dead_at=now, claimed_until=None, last_error=reason):
            _call_on_dead(h, target_id, reason)


def claim(*, limit: int = 20, queue: str | None = None, target_id: int | None = None, lease: timedelta = LEASE) -> list[Claimed]:
    """Claim up to `limit` due jobs for this worker; each claim counts as an attempt."""
    now = timezone.now()
    _dead_letter_abandoned(now)
    table = Job._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value
    where = ["dead_at IS NULL", "due_at <= %s", "(claimed_until IS NULL OR claimed_until < %s)"]
    params: list = [stamp(now), stamp(now)]
    if queue is not None:
        where.append("queue = %s")
        params.append(queue)
    if target_id is not None:
        where.append("target_id = %s")
        params.append(target_id)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (f"UPDATE {table} SET claimed_until = %s, claimed_by = %s, attempts = attempts + 1 WHERE id IN "
           f"(SELECT id FROM {table} WHERE {' AND '.join(where)} ORDER BY due_at, id LIMIT %s{lock}) "
           f"RETURNING id, queue, target_id, attempts")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [stamp(now + lease), WORKER_ID, *params, limit])
        rows = cursor.fetchall()
    return [Claimed(*row) for row in rows]


def release_orphans() -> int:
    """Free the jobs that dead worker processes of this host still hold, without waiting for their leases.

    A worker killed mid-job (kill -9, out of memory) leaves its claims behind; the lease would
    free them after minutes. A starting worker looks at the claims of its own host whose process
    is gone and frees them at once. The attempt stays counted, so a job that kills every worker
    that runs it still ends in the dead letter.
    """
    host = socket.gethostname()
    freed = 0
    for claimed_by in set(Job.objects.filter(claimed_by__startswith=f"{host}:", claimed_until__isnull=False)
                          .values_list("claimed_by", flat=True)):
        pid = int(claimed_by.rpartition(":")[2])
        if pid != os.getpid() and not _alive(pid):
            freed += Job.objects.filter(claimed_by=claimed_by).update(claimed_until=timezone.now() - timedelta(seconds=1))
    return freed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_claimed(job: Claimed) -> bool:
    """Run one claimed job and record the outcome; return True when it is done."""
    done = _run(job)
    if done:
        _finish([job.id])
    return done


def _run(job: Claimed) -> bool:
    """Run a claimed job; record a failure on it, and leave a success for the caller to delete."""
    try:
        h = handler_for(job.queue)
    except LookupError as exc:
        _fail(job, None, str(exc), permanent=True)
        return False
    try:
        h.run(job.target_id)
    except Exception as exc:  # any failure is recorded and retried; a bad job must not stop the worker
        permanent = isinstance(exc, Permanent)
        if not permanent:
            logger.warning("job %s #%s failed (attempt %s): %s", job.queue, job.target_id, job.attempts, exc)
        _fail(job, h, f"{type(exc).__name__}: {exc}" if not permanent else str(exc), permanent=permanent)
        return False
    return True


def _finish(job_ids: list[int]) -> None:
    Job.objects.filter(pk__in=job_ids).delete()


def _fail(job: Claimed, h: Handler | None, reason: str, *, permanent: bool) -> None:
    now = timezone.now()
    if permanent or h is None or job.attempts >= h.max_attempts:
        Job.objects.filter(pk=job.id).update(dead_at=now, claimed_until=None, last_error=reason[:4000])
        if h is not None:
            _call_on_dead(h, job.target_id, reason)
        return
    Job.objects.filter(pk=job.id).update(due_at=now + h.delay_after(job.attempts), claimed_until=None,
                                         last_error=reason[:4000])


def _call_on_dead(h: Handler, target_id: int, reason: str) -> None:
    if h.on_dead is None:
        return
    try:
        h.on_dead(target_id, reason)
    except Exception:
        logger.exception("recording the dead job %s #%s failed", h.queue, target_id)


def run_one(queue: str, target_id: int) -> bool:
    """Claim and run the job for one target now, if it is due and free (eager mode, the retry button)."""
    claimed = claim(limit=1, queue=queue, target_id=target_id)
    return bool(claimed) and run_claimed(claimed[0])


def run_due(*, limit: int = 20) -> int:
    """Claim and run one batch of due jobs; return how many were claimed."""
    batch = claim(limit=limit)
    # Finished jobs are deleted together: one write instead of one per job. Should the worker stop
    # before that, their leases run out and they run again, which handlers are built for.
    done = [job.id for job in batch if _run(job)]
    if done:
        _finish(done)
    return len(batch)


# --- the dead letter ---------------------------------------------------------------------------------

def job_retry(*, job_id: int, actor=None) -> Job:
    """Give a dead (or waiting) job a fresh set of attempts, due now: an admin's "retry" button."""
    from parley.core.services import audit_record

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        h = _handlers.get(job.queue)
        if job.dead_at is not None and h is not None and h.on_retry is not None:
            h.on_retry(job.target_id)
        job.dead_at = None
        job.attempts = 0
        job.claimed_until = None
        job.due_at = timezone.now()
        job.save()
        audit_record(actor=actor, action="job.retried", target=job, changes={"queue": job.queue, "target_id": job.target_id})
        transaction.on_commit(lambda: _after_commit(job.queue, job.target_id))
    return job


def job_requeue(*, queue: str, target_id: int, actor=None) -> None:
    """Run the work on `target_id` again with fresh attempts, whether its job is dead, waiting or long gone.

    A job that finished is gone, yet its target can fail later (a provider's bounce fails a reply
    that was sent): then the owner's retry hook undoes the failure and a new job is queued.
    """
    job = Job.objects.filter(queue=queue, target_id=target_id).first()
    if job is not None:
        job_retry(job_id=job.pk, actor=actor)
        return
    h = handler_for(queue)
    if h.on_retry is not None:
        h.on_retry(target_id)
    enqueue(queue, target_id)


# --- schedules ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    run: Callable[[], object]


_schedules: dict[str, Periodic] = {}


def every(seconds: float, name: str | None = None):
    """Decorator: run `fn()` every `seconds` on exactly one of the running workers."""
    def register(fn):
        key = name or f"{fn.__module__}.{fn.__name__}"
        _schedules[key] = Periodic(key, timedelta(seconds=seconds), fn)
        return fn
    return register


def run_schedules() -> list[str]:
    """Run the periodic work that is due; a conditional update makes one worker win each turn."""
    now = timezone.now()
    ran = []
    for periodic in _schedules.values():
        Schedule.objects.get_or_create(name=periodic.name, defaults={"next_run_at": now})
        won = Schedule.objects.filter(name=periodic.name, next_run_at__lte=now).update(
            next_run_at=now + periodic.every, last_run_at=now)
        if not won:
            continue
        try:
            periodic.run()
            ran.append(periodic.name)
        except Exception:
            logger.exception("scheduled job %s failed", periodic.name)
    return ran


_autodiscovered = threading.Event()


def autodiscover() -> None:
    """Import every installed app's `tasks` module, where handlers and schedules are declared."""
    if _autodiscovered.is_set():
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    _autodiscovered.set()
