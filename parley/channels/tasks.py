from celery import shared_task

from parley.channels import services


@shared_task(acks_late=True)
def process_envelope(envelope_id: int) -> str:
    return services.envelope_process(envelope_id=envelope_id).status


@shared_task
def sweep_envelopes() -> int:
    """Requeue envelopes whose retry time came; runs on the beat schedule."""
    due = services.envelopes_due()
    for envelope_id in due:
        process_envelope.delay(envelope_id)
    return len(due)
