"""The name rules, macros and webhooks are known by: required, short, and unique without regard to case."""
from django.db import models

from parley.core.errors import ValidationFailed


def unique_name(model: type[models.Model], name: str, *, what: str, exclude: int | None = None) -> str:
    """Return `name` trimmed, or refuse it when it is empty, too long or another `what` has it."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed(f"A {what} needs a name of at most 120 characters.", extra={"name": "1 to 120 characters"})
    if model.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise ValidationFailed(f"Another {what} has this name.", extra={"name": "taken"})
    return name
