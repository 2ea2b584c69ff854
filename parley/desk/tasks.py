"""Job handlers of the desk: bulk actions."""
from parley.core import jobs
from parley.desk import services


@jobs.handler(services.BULK_QUEUE, max_attempts=3, backoff_seconds=5, on_dead=services.bulk_action_dead)
def run_bulk_action(bulk_id: int) -> None:
    services.bulk_action_run(bulk_id=bulk_id)
