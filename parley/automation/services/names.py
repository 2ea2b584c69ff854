"""The name rules, macros and webhooks are known by: required, short, and unique without regard to case."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from parley.core.errors import ValidationFailed

#: What is said when a name is refused, per kind of record: (empty or too long, taken); a sentence each, so that
#: every language can fit the record's name into it.
REFUSALS = {
    "rule": (_("A rule needs a name of at most 120 characters."), _("Another rule has this name.")),
    "macro": (_("A macro needs a name of at most 120 characters."), _("Another macro has this name.")),
    "webhook": (_("A webhook needs a name of at most 120 characters."), _("Another webhook has this name.")),
}


def unique_name(model: type[models.Model], name: str, *, what: str, exclude: int | None = None) -> str:
    """Return `name` trimmed, or refuse it when it is empty, too long or another `what` (a key of REFUSALS) has it."""
    name = name.strip()
    too_long, taken = REFUSALS[what]
    if not name or len(name) > 120:
        raise ValidationFailed(str(too_long), extra={"name": "1 to 120 characters"})
    if model.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise ValidationFailed(str(taken), extra={"name": "taken"})
    return name
