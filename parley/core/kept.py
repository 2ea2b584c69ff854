"""Settings rows a process keeps for a moment instead of reading them again for every event and request.

Which SLA policies are active, which inboxes have a bot, which webhooks listen: every customer message's
subscribers asked the database, a statement each, for rows that change a few times a day. A `Kept` value
is loaded once and trusted for PARLEY_KEPT_SECONDS. A save or delete of one of its models in this process forgets it
at once and again when that transaction commits (post_save, post_delete, m2m_changed); a change made in
another process counts when the time is up, as for compiled automation rules. Values handed out are shared
between threads: keep them read-only (a frozen dataclass, a tuple, a frozenset, rows nobody saves).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

_all: list[Kept] = []
_lock = threading.Lock()


class Kept(Generic[T]):
    """A value loaded from the rows of `models` ("app_label.ModelName"), kept per process for PARLEY_KEPT_SECONDS."""

    def __init__(self, load: Callable[[], T], *, models: tuple[str, ...]):
        self._load, self._models = load, frozenset(name.lower() for name in models)
        self._value: tuple[float, T] | None = None
        with _lock:
            _all.append(self)

    def __call__(self) -> T:
        kept = self._value
        now = time.monotonic()
        if kept is None or kept[0] < now:
            kept = self._value = (now + settings.PARLEY_KEPT_SECONDS, self._load())
        return kept[1]

    def forget(self) -> None:
        self._value = None

    def watches(self, *models) -> bool:
        return any(model._meta.label_lower in self._models for model in models)


def forget_all() -> None:
    """Forget every kept value of this process (a test's rows were rolled back, which sends no signal)."""
    for kept in _all:
        kept.forget()


def forget_now_and_at_commit(forget: Callable[[], None]) -> None:
    """Call `forget` now and again when the current transaction commits: in between, another thread may load
    and keep what it still sees, the rows before this change."""
    forget()
    transaction.on_commit(forget)


def _changed(sender, **kwargs) -> None:
    # m2m_changed's sender is the join table; its two sides are the instance's model and `model`.
    models = (type(kwargs["instance"]), kwargs["model"]) if "action" in kwargs else (sender,)
    for kept in _all:
        if kept.watches(*models):
            forget_now_and_at_commit(kept.forget)


def _setting_changed(**kwargs) -> None:
    # A kept value may fall back on a setting (the company's name and time zone); tests change settings.
    forget_all()


setting_changed.connect(_setting_changed, dispatch_uid="parley.core.kept.setting")
post_save.connect(_changed, dispatch_uid="parley.core.kept.saved")
post_delete.connect(_changed, dispatch_uid="parley.core.kept.deleted")
m2m_changed.connect(_changed, dispatch_uid="parley.core.kept.related")


def kept(*, models: tuple[str, ...]) -> Callable[[Callable[[], T]], Kept[T]]:
    """Decorate a function of no arguments that reads settings rows: its result is kept (see Kept)."""
    def wrap(load: Callable[[], T]) -> Kept[T]:
        wrapped = Kept(load, models=models)
        wrapped.__doc__, wrapped.__name__ = load.__doc__, load.__name__
        return wrapped
    return wrap

