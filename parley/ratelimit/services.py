"""A small fixed-window rate limiter, and remembered one-time tokens, shared across processes.

Counters live in Redis (through Django's cache) when REDIS_URL is set, otherwise in the
database: the embedded default's local-memory cache is per process, so a limit kept there
could be dodged by hitting another worker.

Two ways to use it: `rate_limit_consume` counts every request and refuses the one over the
limit (public endpoints); `rate_limit_wait` + `rate_limit_hit` refuse while a key is over its
limit and count only failures (wrong passwords, wrong tokens).
"""
from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from parley.core.errors import ApplicationError
from parley.ratelimit.models import RateCounter

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `count` hits per `seconds`; written "10/15m", "60/60", "1000/1d"."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        match = _RATE.match(text or "")
        if not match or int(match[2]) == 0:
            raise ValueError(f"{text!r} is not a rate like '10/15m' (count / period in s, m, h or d)")
        return cls(int(match[1]), int(match[2]) * _UNITS[match[3]])

    def __str__(self) -> str:
        return f"{self.count} per {self.seconds} s"


class RateLimited(ApplicationError):
    """Too many requests or failures for one key: answered 429 with Retry-After."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, limit: str):
        super().__init__(message, extra={"retry_after": retry_after, "limit": limit})
        self.retry_after = retry_after


def rate_of(setting: str) -> Rate:
    return Rate.parse(getattr(settings, setting))


def client_ip(request: HttpRequest) -> str:
    """Return the caller's address; behind a proxy (PARLEY_HTTPS) the one the proxy adds to X-Forwarded-For."""
    if getattr(settings, "PARLEY_TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(scope: str, subject: str) -> str:
    # Hashed: keys carry e-mail addresses and tokens, which need not sit in a table or in Redis.
    return f"{scope}:{hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:40]}"


def _window(rate: Rate, now: float) -> tuple[int, int]:
    start = int(now // rate.seconds * rate.seconds)
    return start, max(1, math.ceil(start + rate.seconds - now))


def _hits_now(key: str, window: int) -> int:
    if settings.REDIS_URL:
        from django.core.cache import cache

        return int(cache.get(f"ratelimit:{key}:{window}", 0))
    return RateCounter.objects.filter(key=key, window=window).values_list("hits", flat=True).first() or 0


def _add_hit(key: str, window: int, rate: Rate) -> int:
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache_key = f"ratelimit:{key}:{window}"
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        return cache.incr(cache_key)
    with transaction.atomic():
        if RateCounter.objects.filter(key=key, window=window).update(hits=F("hits") + 1):
            return RateCounter.objects.get(key=key, window=window).hits
        expires = datetime.fromtimestamp(window + rate.seconds, tz=dt_timezone.utc)
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window=window, hits=1, expires_at=expires)
            return 1
        except IntegrityError:  # another process opened the window first
            RateCounter.objects.filter(key=key, window=window).update(hits=F("hits") + 1)
            return RateCounter.objects.get(key=key, window=window).hits


def _refusal(rate: Rate, retry_after: int, what: str) -> RateLimited:
    return RateLimited(gettext("Too many %(what)s. Try again in %(seconds)s seconds.") % {"what": what, "seconds": retry_after},
                       retry_after=retry_after, limit=str(rate))


def rate_limit_wait(*, scope: str, subject: str, rate: Rate, what: str = gettext_lazy("attempts")) -> None:
    """Raise RateLimited while `subject` has used up its hits in the current window; count nothing.

    `what` names what was counted, in the plural ("failed sign-ins from your address"), for the refusal.
    """
    window, retry_after = _window(rate, time.time())
    if _hits_now(_key(scope, subject), window) >= rate.count:
        raise _refusal(rate, retry_after, what)


def rate_limit_hit(*, scope: str, subject: str, rate: Rate) -> int:
    """Count one hit (a failure) for `subject`; return the hits in the current window."""
    window, _ = _window(rate, time.time())
    return _add_hit(_key(scope, subject), window, rate)


def rate_limit_consume(*, scope: str, subject: str, rate: Rate, what: str = gettext_lazy("requests")) -> None:
    """Count this request and raise RateLimited when it is over the limit."""
    window, retry_after = _window(rate, time.time())
    if _add_hit(_key(scope, subject), window, rate) > rate.count:
        raise _refusal(rate, retry_after, what)


def rate_counters_prune() -> int:
    """Delete the database counters of windows that have ended, and one-time tokens past keeping."""
    from django.utils import timezone

    return RateCounter.objects.filter(expires_at__lt=timezone.now() - timedelta(minutes=1)).delete()[0]


def signin_guard(request: HttpRequest, *, account: str) -> None:
    """Raise RateLimited while the caller's address or the account has too many recent failed sign-ins."""
    rate_limit_wait(scope="signin-ip", subject=client_ip(request), rate=rate_of("PARLEY_RATE_SIGNIN_IP"),
                    what=gettext_lazy("failed sign-ins from your address"))
    rate_limit_wait(scope="signin-account", subject=account, rate=rate_of("PARLEY_RATE_SIGNIN_ACCOUNT"),
                    what=gettext_lazy("failed sign-ins for this account"))


def signin_failure_count(request: HttpRequest, *, account: str) -> None:
    """Count a failed sign-in against the caller's address and the account."""
    rate_limit_hit(scope="signin-ip", subject=client_ip(request), rate=rate_of("PARLEY_RATE_SIGNIN_IP"))
    if account:
        rate_limit_hit(scope="signin-account", subject=account, rate=rate_of("PARLEY_RATE_SIGNIN_ACCOUNT"))


def token_first_use(*, scope: str, token: str, keep_seconds: int) -> bool:
    """Remember `token` for `keep_seconds`; return True the first time it is seen, False for a replay."""
    key = _key(scope, token)
    if settings.REDIS_URL:
        from django.core.cache import cache

        return cache.add(f"ratelimit:once:{key}", 1, timeout=keep_seconds)
    expires = datetime.fromtimestamp(time.time() + keep_seconds, tz=dt_timezone.utc)
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, window=0, hits=1, expires_at=expires)
        return True
    except IntegrityError:
        return False
