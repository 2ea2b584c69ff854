"""The job queue: claimed with a lease, retried with backoff, dead-lettered, each job run in one place at a time."""
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from parley.core import jobs
from parley.core.models import Job, Schedule


@pytest.fixture
def handler():
    """A test queue whose handler records its calls and fails as told."""
    state = {"calls": [], "fail": None, "dead": []}

    def run(target_id):
        state["calls"].append(target_id)
        if state["fail"]:
            raise state["fail"]

    jobs.handler("test.work", max_attempts=3, backoff_seconds=30,
                 on_dead=lambda target_id, reason: state["dead"].append((target_id, reason)))(run)
    yield state
    del jobs._handlers["test.work"]


def _queue(*target_ids):
    with transaction.atomic():
        for target_id in target_ids:
            jobs.enqueue("test.work", target_id, delay=timedelta())


def test_a_queued_job_is_written_with_the_transaction_and_vanishes_with_its_rollback(db, handler):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("test.work", 1)
        assert Job.objects.filter(queue="test.work").count() == 1
        raise RuntimeError("the change failed")
    assert not Job.objects.exists()


def test_queueing_the_same_target_twice_makes_one_job(db, handler):
    _queue(7, 7)
    assert Job.objects.filter(queue="test.work", target_id=7).count() == 1


def test_a_done_job_is_removed_and_runs_once(db, handler):
    _queue(1, 2)
    assert jobs.run_due() == 2
    assert jobs.run_due() == 0
    assert sorted(handler["calls"]) == [1, 2]
    assert not Job.objects.exists()


def test_a_failing_job_waits_with_backoff_and_its_error_then_goes_to_the_dead_letter(db, handler, run_due_jobs):
    handler["fail"] = ConnectionError("provider down")
    _queue(5)
    jobs.run_due()
    job = Job.objects.get()
    assert (job.attempts, job.dead_at, job.claimed_until) == (1, None, None)
    assert job.due_at >= timezone.now() + timedelta(seconds=25)
    assert "provider down" in job.last_error
    assert jobs.run_due() == 0  # not due yet

    run_due_jobs()
    run_due_jobs()

    job.refresh_from_db()
    assert job.attempts == 3 and job.dead_at is not None
    assert handler["dead"] == [(5, "ConnectionError: provider down")]
    run_due_jobs()
    assert len(handler["calls"]) == 3


def test_a_permanent_failure_goes_to_the_dead_letter_at_once(db, handler):
    handler["fail"] = jobs.Permanent("the address does not exist")
    _queue(5)
    jobs.run_due()
    assert Job.objects.get().dead_at is not None
    assert handler["dead"] == [(5, "the address does not exist")]


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease_and_dead_lettered_after_its_attempts(db, handler):
    _queue(9)
    for attempt in range(1, 4):
        claimed = jobs.claim(lease=timedelta(seconds=-1))  # the worker "dies": its lease is already over
        assert [(c.target_id, c.attempts) for c in claimed] == [(9, attempt)]
    assert jobs.claim() == []
    job = Job.objects.get()
    assert job.dead_at is not None and "stopped while running it" in job.last_error
    assert handler["dead"] and handler["dead"][0][0] == 9
    assert handler["calls"] == []


def test_a_claimed_job_is_not_claimed_again_while_its_lease_runs(db, handler):
    _queue(1)
    assert len(jobs.claim()) == 1
    assert jobs.claim() == []


def test_the_retry_button_gives_a_dead_job_fresh_attempts(db, handler, admin, django_capture_on_commit_callbacks):
    handler["fail"] = jobs.Permanent("broken")
    _queue(4)
    jobs.run_due()
    handler["fail"] = None
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_retry(job_id=Job.objects.get().pk, actor=admin)
    assert handler["calls"] == [4, 4]
    assert not Job.objects.exists()


def test_a_schedule_runs_once_per_turn_however_many_workers_look(db):
    runs = []
    jobs.every(60, name="test.periodic")(lambda: runs.append(1))
    try:
        assert "test.periodic" in jobs.run_schedules()
        assert "test.periodic" not in jobs.run_schedules()
        Schedule.objects.filter(name="test.periodic").update(next_run_at=timezone.now() - timedelta(seconds=1))
        jobs.run_schedules()
    finally:
        del jobs._schedules["test.periodic"]
    assert len(runs) == 2


@pytest.mark.servers
def test_concurrent_workers_claim_each_job_exactly_once(transactional_db, handler):
    """Four threads, each with its own database connection, race for 200 jobs."""
    _queue(*range(1, 201))
    claimed: list[int] = []
    lock = threading.Lock()

    def work():
        try:
            while batch := jobs.claim(limit=5):
                with lock:
                    claimed.extend(job.target_id for job in batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(claimed) == list(range(1, 201))


@pytest.mark.servers
def test_a_job_that_kills_its_worker_process_ends_in_the_dead_letter_and_the_others_still_run(transactional_db, database_url):
    """A payload that crashes the process (not only one that raises) must not come back forever."""
    from django.conf import settings

    script = (
        "import os, django\n"
        "django.setup()\n"
        "from parley.core import jobs\n"
        "@jobs.handler('test.crash', max_attempts=2)\n"
        "def crash(target_id):\n"
        "    if target_id == 13:\n"
        "        os._exit(9)\n"
        "print(jobs.run_due(limit=1))\n"
    )
    with transaction.atomic():
        Job.objects.create(queue="test.crash", target_id=13, due_at=timezone.now() - timedelta(seconds=2), created_at=timezone.now())
        Job.objects.create(queue="test.crash", target_id=14, due_at=timezone.now(), created_at=timezone.now())
    env = {"DJANGO_SETTINGS_MODULE": "parley.settings", "DATABASE_URL": database_url,
           "PARLEY_DATA_DIR": str(settings.DATA_DIR), "PARLEY_SECRET_KEY": settings.SECRET_KEY, "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        crashed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        assert crashed.returncode == 9, crashed.stderr
        # The crashed claim's lease would last minutes; let it run out now.
        Job.objects.filter(target_id=13).update(claimed_until=timezone.now() - timedelta(seconds=1))
    survivor = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert survivor.returncode == 0, survivor.stderr
    job = Job.objects.get(target_id=13)
    assert job.dead_at is not None and job.attempts == 2
    assert not Job.objects.filter(target_id=14).exists()


def test_a_starting_worker_frees_what_a_dead_worker_of_its_host_held_and_leaves_the_living_ones_alone(db, handler):
    import os
    import socket

    _queue(1, 2)
    Job.objects.filter(target_id=1).update(claimed_until=timezone.now() + timedelta(minutes=5), attempts=1,
                                           claimed_by=f"{socket.gethostname()}:{2 ** 22 + 17}")  # no such process
    Job.objects.filter(target_id=2).update(claimed_until=timezone.now() + timedelta(minutes=5), attempts=1,
                                           claimed_by=f"{socket.gethostname()}:{os.getppid()}")  # alive

    assert jobs.release_orphans() == 1

    assert [(c.target_id, c.attempts) for c in jobs.claim()] == [(1, 2)]
