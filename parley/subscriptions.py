"""Every subscriber to every domain event, registered here and nowhere else."""
from parley.core.events import EVENTS, subscribe
from parley.realtime.push import push_event


def register_all() -> None:
    # Every process pushes through the channel layer, which reaches every web process's sockets (ADR 0005).
    for name in EVENTS:
        subscribe(name, push_event)
