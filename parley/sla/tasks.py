"""Job handlers and schedules of SLAs: recomputing due times, and the checker that warns and breaches."""
from parley.core import jobs
from parley.sla import services


@jobs.handler(services.RECOMPUTE_QUEUE, max_attempts=5, backoff_seconds=30)
def recompute(calendar_id: int) -> None:
    services.sla_recompute(calendar_id=None if calendar_id == services.ALL_CALENDARS else calendar_id)


@jobs.every(30)
def check() -> int:
    """Warn before due times and act on breaches."""
    return services.sla_check()
