"""The adapter registry: channels register themselves, so nothing else keeps a switch table."""
from parley.channels.base import ChannelAdapter

_adapters: dict[str, ChannelAdapter] = {}


def register(cls: type[ChannelAdapter]) -> type[ChannelAdapter]:
    """Class decorator: make `cls` the adapter for inboxes of kind `cls.kind`."""
    _adapters[cls.kind] = cls()
    return cls


def get_adapter(kind: str) -> ChannelAdapter:
    try:
        return _adapters[kind]
    except KeyError:
        raise LookupError(f"no channel adapter for kind {kind!r}") from None


def kinds() -> dict[str, str]:
    """Return kind -> human label of every registered channel."""
    return {kind: adapter.label for kind, adapter in sorted(_adapters.items())}
