"""Job handlers of the portal: sign-in links by email."""
from parley.core import jobs
from parley.portal import services


@jobs.handler(services.LOGIN_LINK_QUEUE, max_attempts=4, backoff_seconds=15)
def send_login_link(token_id: int) -> None:
    services.login_link_send(token_id=token_id)
