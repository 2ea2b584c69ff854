"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe


def register_all() -> None:
    from parley.realtime.push import push_event

    for name in EVENTS:
        subscribe(name, push_event)
