"""Job handlers of the contacts app: building a contact's data export."""
from parley.contacts import privacy
from parley.core import jobs


@jobs.handler(privacy.EXPORT_QUEUE, max_attempts=3, backoff_seconds=10, on_dead=privacy.contact_export_failed)
def run_contact_export(export_id: int) -> None:
    privacy.contact_export_run(export_id=export_id)
