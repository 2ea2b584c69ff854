"""Schedules of the realtime app: signing off agents whose tabs vanished with their process."""
from parley.accounts.services import agent_tabs_closed
from parley.core import jobs
from parley.realtime import presence


@jobs.every(60, name="realtime.sweep_sockets")
def sweep_sockets() -> None:
    for user_id in presence.sweep_stale_sockets():
        agent_tabs_closed(user_id=user_id)
