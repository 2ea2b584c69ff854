"""Job handlers of the conversations app: the outbox."""
from django.urls import reverse

from parley.conversations.models import Message
from parley.conversations.services import outbound
from parley.core import jobs


def _describe(message_id: int) -> tuple[str, str]:
    conversation_id = Message.objects.filter(pk=message_id).values_list("conversation_id", flat=True).first()
    if conversation_id is None:
        return f"a reply that no longer exists (#{message_id})", ""
    return f"a reply on conversation #{conversation_id}", reverse("workspace:conversation", args=[conversation_id])


@jobs.handler(outbound.DELIVER_QUEUE, max_attempts=outbound.MAX_DELIVERY_ATTEMPTS, backoff_seconds=outbound.RETRY_BASE_SECONDS,
              on_dead=outbound.message_delivery_dead, on_retry=outbound.message_requeue, describe=_describe)
def deliver_message(message_id: int) -> None:
    outbound.message_deliver(message_id=message_id)
