from celery import shared_task

from parley.channels.base import DeliveryError
from parley.channels.email import selectors, services
from parley.channels.models import Inbox

ACKNOWLEDGEMENT_RETRIES = 3


@shared_task
def poll_email_inboxes() -> int:
    """Queue a poll of every active IMAP inbox that is not backing off; runs every minute on the beat."""
    due = selectors.inboxes_due_for_poll()
    for inbox_id in due:
        poll_email_inbox.delay(inbox_id)
    return len(due)


@shared_task
def poll_email_inbox(inbox_id: int) -> int:
    inbox = Inbox.objects.filter(pk=inbox_id, kind="email", is_active=True).first()
    return services.inbox_poll(inbox=inbox) if inbox else 0


@shared_task(bind=True, max_retries=ACKNOWLEDGEMENT_RETRIES)
def send_acknowledgement(self, envelope_id: int) -> bool:
    try:
        return services.acknowledgement_send(envelope_id=envelope_id) is not None
    except DeliveryError as exc:
        if exc.permanent:
            return False
        raise self.retry(exc=exc, countdown=60 * 2 ** self.request.retries)
