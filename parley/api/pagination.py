"""Keyset (cursor) pagination: stable under inserts, and the cursor is opaque to clients."""
import base64
import binascii
import json
from datetime import datetime

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from parley.core.errors import ValidationFailed


def paginate(queryset: QuerySet, *, limit: int, cursor: str = "", keys: tuple[str, ...] = ("id",),
             newest_first: bool = True) -> dict:
    """Return {"items", "next_cursor"}: up to `limit` rows after `cursor`, ordered by `keys`.

    `keys` must end with a unique field; every key is sorted descending when `newest_first`.
    """
    queryset = queryset.order_by(*(f"-{key}" if newest_first else key for key in keys))
    if cursor:
        queryset = queryset.filter(_after(_decode(cursor, queryset.model, keys), keys, "lt" if newest_first else "gt"))
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    return {"items": items, "next_cursor": _encode(items[-1], keys) if more else None}


def _encode(row, keys: tuple[str, ...]) -> str:
    values = [_plain(getattr(row, key)) for key in keys]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _decode(cursor: str, model: type[models.Model], keys: tuple[str, ...]) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        return [_typed(model._meta.get_field(key), value) for key, value in zip(keys, values)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(gettext("The cursor is not valid; use next_cursor from the previous page."),
                               extra={"cursor": "invalid"}) from None


def _typed(field: models.Field, value):
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, models.IntegerField) and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63):
        raise ValueError
    return value


def _after(values: list, keys: tuple[str, ...], beyond: str) -> Q:
    """Return the condition "comes after `values`" in (k1, k2, …) order; `beyond` is "lt" or "gt"."""
    condition = Q()
    for i, key in enumerate(keys):
        condition |= Q(**dict(zip(keys[:i], values[:i])), **{f"{key}__{beyond}": values[i]})
    return condition
