"""Job handlers of the channels app: processing stored inbound envelopes."""
from parley.channels import services
from parley.channels.models import InboundEnvelope
from parley.core import jobs


def _describe(envelope_id: int) -> tuple[str, str]:
    envelope = InboundEnvelope.objects.select_related("inbox").filter(pk=envelope_id).first()
    if envelope is None:
        return f"an inbound payload that no longer exists (#{envelope_id})", ""
    return f"an inbound {envelope.inbox.adapter.label.lower()} payload to “{envelope.inbox}” ({envelope.external_id[:80]})", ""


@jobs.handler(services.PROCESS_QUEUE, max_attempts=services.MAX_PROCESS_ATTEMPTS, backoff_seconds=services.RETRY_BASE_SECONDS,
              on_dead=services.envelope_dead, on_retry=services.envelope_requeue, describe=_describe)
def process_envelope(envelope_id: int) -> None:
    services.envelope_process(envelope_id=envelope_id)
