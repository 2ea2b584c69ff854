"""Job handlers of the accounts app: invitation and password-reset mail."""
from parley.accounts import services
from parley.core import jobs


@jobs.handler(services.INVITE_QUEUE, max_attempts=4, backoff_seconds=15)
def send_invitation(user_id: int) -> None:
    services.agent_invite_send(user_id=user_id)


@jobs.handler(services.PASSWORD_RESET_QUEUE, max_attempts=4, backoff_seconds=15)
def send_password_reset(user_id: int) -> None:
    services.password_reset_send(user_id=user_id)


@jobs.every(60, name="accounts.idle_away")
def mark_idle_agents_away() -> None:
    services.agents_mark_idle_away()
