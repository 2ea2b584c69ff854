"""Job handlers and schedules of the email channel: IMAP polling."""
from parley.channels.email import selectors, services
from parley.channels.models import Inbox
from parley.core import jobs

POLL_QUEUE = "email.poll"


@jobs.every(60)
def poll_email_inboxes() -> int:
    """Queue a poll of every active IMAP inbox that is not backing off (a queued poll is not queued twice)."""
    due = selectors.inboxes_due_for_poll()
    for inbox_id in due:
        jobs.enqueue(POLL_QUEUE, inbox_id)
    return len(due)


# inbox_poll records a failed poll on the inbox, which backs off by itself; attempts count only crashes.
@jobs.handler(POLL_QUEUE, max_attempts=3)
def poll_email_inbox(inbox_id: int) -> int:
    inbox = Inbox.objects.filter(pk=inbox_id, kind="email", is_active=True).first()
    return services.inbox_poll(inbox=inbox) if inbox else 0
