"""The public help center in the customer portal: home, search, articles, feedback, and the contact form's suggestions."""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from parley.core.errors import ValidationFailed
from parley.knowledge import locales, selectors, services
from parley.knowledge.models import SearchSource
from parley.knowledge.search import search_articles
from parley.portal.services import company_name
from parley.portal.views import SESSION_CONTACT

#: What one search reads of the query: a pasted essay is cut, not refused.
MAX_QUERY_CHARS = 300
SUGGESTION_MIN_CHARS = 4
#: Session key of the words the contact form last suggested articles for (deflections record them).
SESSION_SUGGESTED_FOR = "help_suggested_for"


def _locale(request) -> str:
    return locales.resolve(request.GET.get("lang"), request.headers.get("Accept-Language", ""))


def _render(request, template: str, context: dict, status: int = 200):
    from parley.portal import selectors as portal_selectors

    locale = context.get("locale") or _locale(request)
    return render(request, f"knowledge/{template}", {
        "company_name": company_name(), "locale": locale, "language_name": locales.language_name(locale),
        "customer": portal_selectors.portal_contact(contact_id=request.session.get(SESSION_CONTACT)), **context,
    }, status=status)


@require_GET
def help_search(request):
    locale = _locale(request)
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    hits = search_articles(query, locale=locale, limit=15) if query else []
    services.search_log_record(query=query, locale=locale, source=SearchSource.HELP_CENTER, result_count=len(hits))
    return _render(request, "help_search.html", {"locale": locale, "query": query, "hits": hits})


@require_GET
def article(request, slug: str):
    found = selectors.published_article(slug=slug)
    if found is None:
        raise Http404("No such article.")
    locale = _locale(request)
    translation = selectors.article_translation(found, locale)
    services.article_record_view(article=found)
    if request.GET.get("from") == "form":
        if not request.session.session_key:
            request.session.save()
        services.deflection_open(article=found, session_key=request.session.session_key,
                                 query=request.session.get(SESSION_SUGGESTED_FOR, ""))
    return _render(request, "article.html", {
        "locale": translation.locale, "article": found, "translation": translation,
        "translations": [(t.locale, locales.language_name(t.locale)) for t in found.translations.all()],
        "related": selectors.related_published(found, translation.locale)})


@require_POST
def article_feedback(request, slug: str):
    found = selectors.published_article(slug=slug)
    if found is None:
        raise Http404("No such article.")
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return _render(request, "_feedback.html", {"article": found, "error": gettext("Choose yes or no.")}, status=400)
    try:
        services.article_feedback_record(article=found, locale=_locale(request), helpful=helpful == "yes",
                                         comment=request.POST.get("comment", ""))
    except ValidationFailed as exc:
        return _render(request, "_feedback.html", {"article": found, "error": exc.message}, status=400)
    return _render(request, "_feedback.html", {"article": found, "thanked": True, "helpful": helpful == "yes"})


@require_GET
def suggestions(request):
    """Articles matching what the customer is typing into the contact form (an htmx fragment)."""
    locale = _locale(request)
    query = " ".join(request.GET.get(name, "") for name in ("subject", "message"))[:MAX_QUERY_CHARS].strip()
    hits = search_articles(query, locale=locale, limit=3) if len(query) >= SUGGESTION_MIN_CHARS else []
    if len(query) >= SUGGESTION_MIN_CHARS:
        request.session[SESSION_SUGGESTED_FOR] = query
        services.search_log_record(query=query, locale=locale, source=SearchSource.CONTACT_FORM, result_count=len(hits))
    return _render(request, "_suggestions.html", {"locale": locale, "hits": hits})


@require_GET
def article_image(request, public_id):
    """Serve an article's image with the type its bytes showed on upload; a browser never runs it as anything else."""
    from django.http import FileResponse

    image = selectors.article_image(public_id=public_id)
    if image is None:
        raise Http404("No such image.")
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
