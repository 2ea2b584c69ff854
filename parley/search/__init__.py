"""The one search interface: `search_conversations(queryset, text)`.

The embedded default and PostgreSQL each get a full-text backend; callers never know which.
"""
from django.db.models import Q, QuerySet


def search_conversations(queryset: QuerySet, text: str) -> QuerySet:
    """Narrow `queryset` to conversations matching `text` (a number, a customer, words in messages)."""
    text = text.strip()
    if not text:
        return queryset
    number = text.lstrip("#")
    if number.isdigit():
        return queryset.filter(pk=int(number))
    return queryset.filter(
        Q(subject__icontains=text) | Q(contact__name__icontains=text) | Q(contact__email__icontains=text)
        | Q(messages__text__icontains=text)
    ).distinct()
