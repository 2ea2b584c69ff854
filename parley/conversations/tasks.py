from celery import shared_task

from parley.conversations import services


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)


@shared_task
def sweep_outbox() -> int:
    """Requeue replies whose retry time came; runs on the beat schedule."""
    due = services.outbox_due()
    for message_id in due:
        deliver_message.delay(message_id)
    return len(due)
