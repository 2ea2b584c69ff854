"""Turn ids a client sent in a request body into rows, or into a 422 that names the field."""
from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from parley.core.errors import ValidationFailed


def referenced(source: type[Model] | QuerySet, pk: int | None, *, field: str):
    """Return the row `pk` names (None for None); an id naming nothing is the client's error in `field`."""
    if pk is None:
        return None
    queryset = source if isinstance(source, QuerySet) else source.objects.all()
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed(gettext("No %(record)s with id %(ids)s.") % {"record": queryset.model._meta.verbose_name, "ids": pk},
                               extra={field: f"no such {queryset.model._meta.verbose_name}"})
    return row


def referenced_all(source: type[Model], pks: list[int], *, field: str) -> list:
    """Return the rows every id in `pks` names, refusing the lot when one names nothing."""
    rows = list(source.objects.filter(pk__in=pks))
    missing = sorted(set(pks) - {row.pk for row in rows})
    if missing:
        raise ValidationFailed(gettext("No %(record)s with id %(ids)s.") % {"record": source._meta.verbose_name,
                                                                           "ids": ", ".join(map(str, missing))},
                               extra={field: f"no such {source._meta.verbose_name}: {', '.join(map(str, missing))}"})
    return rows
