"""Checks and names for text people write (articles, posts): required fields with limits, unique slugs."""
from django.utils.text import slugify

from parley.core.errors import ValidationFailed


def require_text(what: str, **fields: tuple[str, int]) -> None:
    """Raise ValidationFailed naming every field (name=(value, max_chars)) that is empty or too long."""
    problems = {}
    for name, (value, limit) in fields.items():
        if not value.strip():
            problems[name] = "required"
        elif len(value) > limit:
            problems[name] = f"at most {limit} characters"
    if problems:
        raise ValidationFailed(f"{what} is not complete: " + "; ".join(f"{k} {v}" for k, v in problems.items()) + ".",
                               extra=problems)


def unique_slug(model, text: str, fallback: str, **scope) -> str:
    """Return a slug for `text` that no `model` row (within `scope`) has yet: "returns", "returns-2" …"""
    base = slugify(text, allow_unicode=True)[:120] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
