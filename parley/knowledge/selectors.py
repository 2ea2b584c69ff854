"""Reads for the help center pages, the workspace editor and the knowledge report."""
from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from parley.knowledge.models import (
    Article, ArticleFeedback, ArticleImage, ArticleStatus, ArticleTranslation, Category, Deflection, SearchLog, SearchSource,
    Section,
)


def published_categories(*, locale: str) -> list[Category]:
    """Categories with their sections and published articles, each article carrying `.shown` (its translation in `locale` or the first one)."""
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).prefetch_related("translations")
    categories = list(Category.objects.prefetch_related(Prefetch("sections__articles", queryset=articles)))
    for category in categories:
        category.shown_sections = []
        for section in category.sections.all():
            section.shown_articles = [a for a in section.articles.all() if _attach(a, locale)]
            if section.shown_articles:
                category.shown_sections.append(section)
    return [c for c in categories if c.shown_sections]


def _attach(article: Article, locale: str) -> bool:
    translations = list(article.translations.all())
    article.shown = next((t for t in translations if t.locale == locale), translations[0] if translations else None)
    return article.shown is not None


def popular_articles(*, locale: str, limit: int = 6) -> list[Article]:
    articles = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("-view_count", "pk")
                    .prefetch_related("translations")[:limit])
    return [a for a in articles if _attach(a, locale)]


def published_article(*, slug: str) -> Article | None:
    return (Article.objects.filter(slug=slug, status=ArticleStatus.PUBLISHED)
            .select_related("section__category").prefetch_related("translations").first())


def article_translation(article: Article, locale: str) -> ArticleTranslation | None:
    translations = {t.locale: t for t in article.translations.all()}
    from parley.knowledge.locales import default_locale

    return translations.get(locale) or translations.get(default_locale()) or next(iter(translations.values()), None)


def related_published(article: Article, locale: str) -> list[Article]:
    related = list(article.related.filter(status=ArticleStatus.PUBLISHED).prefetch_related("translations"))
    return [a for a in related if _attach(a, locale)]


def articles_for_editor(*, text: str = "", status: str = "") -> list[Article]:
    articles = Article.objects.select_related("section__category").prefetch_related("translations").order_by("-updated_at")
    if status:
        articles = articles.filter(status=status)
    if text.strip():
        articles = articles.filter(Q(translations__title__icontains=text.strip()) | Q(slug__icontains=text.strip())).distinct()
    return list(articles[:200])


def sections() -> list[Section]:
    return list(Section.objects.select_related("category").order_by("category__position", "category__name", "position", "name"))


def knowledge_report(*, days: int = 30) -> dict:
    """Searches without results, deflections and article feedback over `days`."""
    since = timezone.now() - timedelta(days=days)
    searches = SearchLog.objects.filter(created_at__gte=since)
    deflections = Deflection.objects.filter(opened_at__gte=since)
    opened = deflections.values("session_key").distinct().count()
    deflected = deflections.exclude(session_key__in=deflections.filter(submitted=True).values("session_key")) \
                           .values("session_key").distinct().count()
    form_searches = searches.filter(source=SearchSource.CONTACT_FORM).count()
    return {
        "days": days,
        "searches": searches.count(),
        "no_result": list(searches.filter(result_count=0).values("query").annotate(n=Count("id")).order_by("-n", "query")[:30]),
        "suggestion_sessions": opened,
        "deflected": deflected,
        "deflection_rate": deflected / opened if opened else None,
        "form_searches": form_searches,
        "feedback": list(ArticleFeedback.objects.filter(created_at__gte=since).select_related("article")[:20]),
        "top_articles": list(Article.objects.order_by("-view_count")[:10]),
    }


def article_image(*, public_id):
    """Return the image with this public id whose file is still stored, or None."""
    image = ArticleImage.objects.filter(public_id=public_id).first()
    return image if image and image.file.storage.exists(image.file.name) else None
