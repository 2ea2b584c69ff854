"""Checks and names for text people write (articles, posts): required fields with limits, unique slugs."""
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from parley.core.errors import ValidationFailed

#: The fields `require_text` checks, as a person calls them.
FIELD_NAMES = {"title": gettext_lazy("the title"), "body": gettext_lazy("the text")}


def require_text(what: str, **fields: tuple[str, int]) -> None:
    """Raise ValidationFailed naming every field (name=(value, max_chars), a key of FIELD_NAMES) that is empty or too
    long; `what` (“The question”) starts the message."""
    problems, said = {}, []
    for name, (value, limit) in fields.items():
        if not value.strip():
            problems[name] = "required"
            said.append(gettext("%(field)s is empty") % {"field": FIELD_NAMES[name]})
        elif len(value) > limit:
            problems[name] = f"at most {limit} characters"
            said.append(gettext("%(field)s is longer than %(max)s characters") % {"field": FIELD_NAMES[name], "max": limit})
    if problems:
        raise ValidationFailed(gettext("%(what)s is not complete: %(problems)s.") % {"what": what, "problems": "; ".join(said)},
                               extra=problems)


def unique_slug(model, text: str, fallback: str, **scope) -> str:
    """Return a slug for `text` that no `model` row (within `scope`) has yet: "returns", "returns-2" …"""
    base = slugify(text, allow_unicode=True)[:120] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
