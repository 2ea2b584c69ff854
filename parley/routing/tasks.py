"""Job handlers and schedules of routing: draining a queue, taking back idle conversations, opening hours."""
from parley.core import jobs
from parley.routing import services
from parley.routing.models import QueuedConversation


@jobs.handler(services.DRAIN_QUEUE, max_attempts=8, backoff_seconds=5)
def drain_queue(policy_id: int) -> None:
    services.queue_drain(policy_id=policy_id)


@jobs.every(60)
def reassign_idle() -> int:
    """Give conversations whose customer waits on an idle agent to someone else."""
    return services.assignments_reassign_idle()


@jobs.every(60)
def drain_waiting_queues() -> int:
    """Let waiting conversations through once a calendar opens (no event says so) or anything else was missed."""
    policies = QueuedConversation.objects.values_list("policy_id", flat=True).distinct()
    return sum(services.queue_drain(policy_id=pk) for pk in list(policies))
