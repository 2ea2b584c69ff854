"""Settings rows a process keeps for a moment instead of reading them again for every event and request.

Which SLA policies are active, which inboxes have a bot, which webhooks listen: every customer message's
subscribers asked the database, a statement each, for rows that change a few times a day. A `Kept` value
is loaded once and trusted for `seconds`; a save or delete of one of its models in this process forgets it
at once (post_save, post_delete, m2m_changed), one in another process counts when the time is up, as
compiled automation rules do. Values handed out are shared between threads: keep them read-only (a frozen
dataclass, a tuple, a frozenset, rows nobody saves).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.signals import setting_changed
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

#: How long a process trusts a kept value that another process may have changed.
KEPT_SECONDS = 2.0

_all: list[Kept] = []
_lock = threading.Lock()


class Kept(Generic[T]):
    """A value loaded from the rows of `models` ("app_label.ModelName"), kept per process for `seconds`."""

    def __init__(self, load: Callable[[], T], *, models: tuple[str, ...], seconds: float = KEPT_SECONDS):
        self._load, self._models, self._seconds = load, frozenset(name.lower() for name in models), seconds
        self._value: tuple[float, T] | None = None
        with _lock:
            _all.append(self)

    def __call__(self) -> T:
        kept = self._value
        now = time.monotonic()
        if kept is None or kept[0] < now:
            kept = self._value = (now + self._seconds, self._load())
        return kept[1]

    def forget(self) -> None:
        self._value = None

    def watches(self, *models) -> bool:
        return any(model._meta.label_lower in self._models for model in models)


def forget_all() -> None:
    """Forget every kept value of this process (a test's rows were rolled back, which sends no signal)."""
    for kept in _all:
        kept.forget()


def _changed(sender, **kwargs) -> None:
    # m2m_changed's sender is the join table; its two sides are the instance's model and `model`.
    models = (type(kwargs["instance"]), kwargs["model"]) if "action" in kwargs else (sender,)
    for kept in _all:
        if kept.watches(*models):
            kept.forget()


def _setting_changed(**kwargs) -> None:
    # A kept value may fall back on a setting (the company's name and time zone); tests change settings.
    forget_all()


setting_changed.connect(_setting_changed, dispatch_uid="parley.core.kept.setting")
post_save.connect(_changed, dispatch_uid="parley.core.kept.saved")
post_delete.connect(_changed, dispatch_uid="parley.core.kept.deleted")
m2m_changed.connect(_changed, dispatch_uid="parley.core.kept.related")


def kept(*, models: tuple[str, ...], seconds: float = KEPT_SECONDS) -> Callable[[Callable[[], T]], Kept[T]]:
    """Decorate a function of no arguments that reads settings rows: its result is kept (see Kept)."""
    def wrap(load: Callable[[], T]) -> Kept[T]:
        wrapped = Kept(load, models=models, seconds=seconds)
        wrapped.__doc__, wrapped.__name__ = load.__doc__, load.__name__
        return wrapped
    return wrap

