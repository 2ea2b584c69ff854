"""Every write to the help center: categories, sections, articles and their versions, feedback, searches, deflections."""
import difflib
import secrets

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from parley.accounts.permissions import require
from parley.core import actors, events
from parley.core.errors import PayloadTooLarge, ValidationFailed
from parley.core.images import raster_type
from parley.core.text import require_text, unique_slug
from parley.knowledge import locales
from parley.knowledge.models import (
    Article, ArticleFeedback, ArticleImage, ArticleStatus, ArticleTranslation, ArticleVersion, Category, Deflection,
    IndexGeneration, SearchLog, SearchSource, Section,
)
from parley.knowledge.rendering import plain_text, render_markdown
from parley.knowledge.search import embeddings, fulltext

MAX_TITLE_CHARS = 200
MAX_BODY_CHARS = 200_000
MAX_COMMENT_CHARS = 2000
MAX_QUERY_CHARS = 300
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT_CHARS = 200


@transaction.atomic
def category_create(*, name: str, description: str = "", position: int = 0, actor) -> Category:
    require(actor, "knowledge.edit")
    if not name.strip():
        raise ValidationFailed(gettext("A category needs a name."), extra={"name": "required"})
    return Category.objects.create(name=name.strip(), slug=unique_slug(Category, name, "category"), description=description,
                                   position=position)


@transaction.atomic
def section_create(*, category: Category, name: str, position: int = 0, actor) -> Section:
    require(actor, "knowledge.edit")
    if not name.strip():
        raise ValidationFailed(gettext("A section needs a name."), extra={"name": "required"})
    return Section.objects.create(category=category, name=name.strip(), position=position,
                                  slug=unique_slug(Section, name, "section", category=category))


def _clean_tags(tags) -> list[str]:
    return sorted({tag.strip().lower()[:40] for tag in tags if tag.strip()})


def _validate_text(title: str, body: str) -> None:
    require_text(gettext("The article"), title=(title, MAX_TITLE_CHARS), body=(body, MAX_BODY_CHARS))


def _validate_locale(locale: str) -> None:
    if not locales.known(locale):
        raise ValidationFailed(gettext("Unknown locale “%(locale)s”.") % {"locale": locale},
                               extra={"locale": f"one of {', '.join(locales.LANGUAGE_NAMES)}"})


@transaction.atomic
def article_create(*, section: Section, title: str, body: str, author, locale: str | None = None, tags=(),
                   status: str = ArticleStatus.DRAFT) -> Article:
    """Write a new article (a draft unless `status` says published) in one locale."""
    require(author, "knowledge.edit")
    locale = locale or locales.default_locale()
    _validate_locale(locale)
    _validate_text(title, body)
    if status not in ArticleStatus.values:
        raise ValidationFailed(gettext("Unknown status."), extra={"status": f"one of {', '.join(ArticleStatus.values)}"})
    now = timezone.now()
    article = Article.objects.create(section=section, slug=unique_slug(Article, title, "article"), status=status,
                                     tags=_clean_tags(tags), created_at=now, updated_at=now)
    _save_translation(article, locale=locale, title=title, body=body, author=author, at=now)
    _publish_saved(article, author)
    return article


@transaction.atomic
def article_update(*, article: Article, author, locale: str | None = None, title: str | None = None,
                   body: str | None = None, tags=None, status: str | None = None, section: Section | None = None,
                   related_ids=None) -> Article:
    """Change an article: a translation's text (a new version, or a new translation), its tags, status, section, related articles."""
    require(author, "knowledge.edit")
    article = Article.objects.select_for_update().get(pk=article.pk)
    locale = locale or locales.default_locale()
    _validate_locale(locale)
    now = timezone.now()
    if status is not None:
        if status not in ArticleStatus.values:
            raise ValidationFailed(gettext("Unknown status."), extra={"status": f"one of {', '.join(ArticleStatus.values)}"})
        article.status = status
    if tags is not None:
        article.tags = _clean_tags(tags)
    if section is not None:
        article.section = section
    if related_ids is not None:
        article.related.set(Article.objects.filter(pk__in=related_ids).exclude(pk=article.pk))
    article.updated_at = now
    article.save()
    if title is not None or body is not None:
        current = article.translations.filter(locale=locale).first()
        _save_translation(article, locale=locale, author=author, at=now,
                          title=title if title is not None else (current.title if current else ""),
                          body=body if body is not None else (current.body if current else ""))
    _reindex(list(article.translations.all()))
    _publish_saved(article, author)
    return article


def _save_translation(article: Article, *, locale: str, title: str, body: str, author, at) -> ArticleTranslation:
    _validate_text(title, body)
    rendered = render_markdown(body)
    translation, _ = ArticleTranslation.objects.update_or_create(
        article=article, locale=locale,
        defaults={"title": title.strip(), "body": body, "html": rendered, "plain": plain_text(rendered),
                  "author": author if actors.is_person(author) else None, "updated_at": at})
    latest = translation.versions.order_by("-number").first()
    if latest is None or (latest.title, latest.body) != (translation.title, translation.body):
        ArticleVersion.objects.create(translation=translation, number=(latest.number + 1) if latest else 1,
                                      title=translation.title, body=body, created_at=at,
                                      author=author if actors.is_person(author) else None)
    _reindex([translation])
    return translation


def _publish_saved(article: Article, actor) -> None:
    events.publish("article.saved", {"article_id": article.pk, "status": article.status, "actor": actors.describe(actor)})


def _reindex(translations: list[ArticleTranslation]) -> None:
    """Bring the full-text rows and the vectors of `translations` up to date; only published ones are searchable."""
    if not translations:
        return
    vectors = embeddings.embed([f"{t.title}. {t.plain[:2000]}" for t in translations])
    for i, translation in enumerate(translations):
        translation.embedding = embeddings.to_bytes(vectors[i]) if vectors is not None else b""
    ArticleTranslation.objects.bulk_update(translations, ["embedding"], batch_size=500)
    published = [t for t in translations if t.article.status == ArticleStatus.PUBLISHED]
    fulltext.remove(connection, [t.pk for t in translations])
    fulltext.index(connection, [(t.pk, t.locale, t.title, " ".join(t.article.tags), t.plain) for t in published])
    _bump_generation()


def _bump_generation() -> None:
    # A fresh random number rather than +1: after a rollback or a restored backup a counter would repeat a
    # number some process already holds vectors for, and that process would keep its stale matrix.
    number = secrets.randbits(62)
    if not IndexGeneration.objects.filter(pk=1).update(number=number):
        IndexGeneration.objects.update_or_create(pk=1, defaults={"number": number})


def article_image_add(*, article: Article, actor, content: bytes, alt: str = "") -> ArticleImage:
    """Store an image for an article's body; refuse what is not a PNG, JPEG, GIF or WebP image, or is too large.

    Its Markdown (`image_markdown`) goes into the body by hand, so an image may be placed, moved or left out.
    """
    from django.core.files.base import ContentFile

    require(actor, "knowledge.edit")
    if not content:
        raise ValidationFailed(gettext("Choose an image to upload."), extra={"image": "required"})
    if len(content) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(gettext("An image may be at most %(max)s MB.") % {"max": MAX_IMAGE_BYTES // (1024 * 1024)},
                              extra={"image": "too large"})
    content_type = raster_type(content)
    if content_type is None:
        raise ValidationFailed(gettext("The image must be a PNG, JPEG, GIF or WebP file."), extra={"image": "not a raster image"})
    alt = " ".join(str(alt or "").split())
    if len(alt) > MAX_ALT_CHARS:
        raise ValidationFailed(gettext("The description is at most %(max)s characters.") % {"max": MAX_ALT_CHARS},
                               extra={"alt": "too long"})
    image = ArticleImage(article=article, content_type=content_type, size=len(content), alt=alt,
                         uploaded_by=actor if getattr(actor, "pk", None) else None)
    image.file.save("image", ContentFile(content), save=False)
    image.save()
    return image


def image_markdown(image: ArticleImage) -> str:
    """The Markdown that shows `image` in an article body; brackets in its description cannot end the link."""
    from django.urls import reverse

    alt = image.alt.replace("\\", "").replace("[", "(").replace("]", ")")
    return f"![{alt}]({reverse('help:image', args=[image.public_id])})"


@transaction.atomic
def article_delete(*, article: Article, actor) -> None:
    require(actor, "knowledge.edit")
    fulltext.remove(connection, list(article.translations.values_list("pk", flat=True)))
    article.delete()
    _bump_generation()


@transaction.atomic
def article_restore(*, version: ArticleVersion, author) -> ArticleTranslation:
    """Make an old version the current text again (saved as the newest version, so nothing is lost)."""
    require(author, "knowledge.edit")
    translation = version.translation
    article = translation.article
    article.updated_at = timezone.now()
    article.save(update_fields=["updated_at"])
    restored = _save_translation(article, locale=translation.locale, title=version.title, body=version.body,
                                 author=author, at=article.updated_at)
    _publish_saved(article, author)
    return restored


def version_diff(older: ArticleVersion, newer: ArticleVersion) -> list[tuple[str, str]]:
    """Return the line diff from `older` to `newer` as (kind, line) with kind "+", "-" or " "."""
    lines = difflib.ndiff([f"# {older.title}", *older.body.splitlines()], [f"# {newer.title}", *newer.body.splitlines()])
    return [(line[0], line[2:]) for line in lines if line[:1] in "+- "]


def knowledge_reindex(*, progress=None) -> int:
    """Rebuild the whole index (full text and vectors); `progress(done, total)` is called after each batch."""
    translations = ArticleTranslation.objects.select_related("article").order_by("pk")
    total = translations.count()
    fulltext.clear(connection)
    done = 0
    batch_size = 200
    for start in range(0, total, batch_size):
        with transaction.atomic():
            _reindex(list(translations[start:start + batch_size]))
        done = min(start + batch_size, total)
        if progress:
            progress(done, total)
    return done


def article_record_view(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@transaction.atomic
def article_feedback_record(*, article: Article, locale: str, helpful: bool, comment: str = "") -> ArticleFeedback:
    """Record a reader's "Was this helpful?" answer and its optional comment."""
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationFailed(gettext("A comment is at most %(max)s characters.") % {"max": MAX_COMMENT_CHARS},
                               extra={"comment": "too long"})
    counter = "helpful_count" if helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return ArticleFeedback.objects.create(article=article, locale=locale, helpful=helpful, comment=comment.strip(),
                                          created_at=timezone.now())


def search_log_record(*, query: str, locale: str, source: str, result_count: int) -> SearchLog | None:
    if not query.strip() or source not in SearchSource.values:
        return None
    return SearchLog.objects.create(query=query.strip()[:MAX_QUERY_CHARS], locale=locale, source=source,
                                    result_count=result_count, created_at=timezone.now())


def deflection_open(*, article: Article, session_key: str, query: str = "") -> Deflection:
    """A customer opened an article the contact form suggested; it counts as a deflection until they submit."""
    return Deflection.objects.create(article=article, session_key=session_key, query=query[:MAX_QUERY_CHARS],
                                     opened_at=timezone.now())


def deflections_mark_submitted(*, session_key: str) -> int:
    """The customer submitted the contact form after all: their opened suggestions deflected nothing."""
    if not session_key:
        return 0
    return Deflection.objects.filter(session_key=session_key, submitted=False).update(submitted=True)


@transaction.atomic
def article_draft_from_message(*, message, section: Section, author) -> Article:
    """Turn a good reply into a draft article: its first line is the title, the reply the body."""
    require(author, "knowledge.edit")
    text = message.text.strip()
    if not text:
        raise ValidationFailed(gettext("This message has no text to make an article of."), extra={"message": "empty"})
    subject = message.conversation.subject.strip()
    title = (subject or text.splitlines()[0])[:MAX_TITLE_CHARS]
    return article_create(section=section, title=title, body=text, author=author)


def help_center_import(*, data: dict, actor, status: str = ArticleStatus.PUBLISHED, progress=None) -> dict[str, Article]:
    """Create the categories, sections, articles and translations of `data` (the JSON shape of
    tests/knowledge/help_center_set.json); return the articles by their key."""
    categories: dict[str, Category] = {}
    sections: dict[tuple[str, str], Section] = {}
    articles: dict[str, Article] = {}
    total = len(data["articles"])
    for n, item in enumerate(data["articles"], 1):
        category = categories.get(item["category"]) or Category.objects.filter(name=item["category"]).first() \
            or category_create(name=item["category"], actor=actor)
        categories[item["category"]] = category
        key = (item["category"], item["section"])
        section = sections.get(key) or Section.objects.filter(category=category, name=item["section"]).first() \
            or section_create(category=category, name=item["section"], actor=actor)
        sections[key] = section
        articles[item["key"]] = article_create(section=section, title=item["title"], body=item["body"], tags=item.get("tags", ()),
                                               locale=item.get("locale"), status=status, author=actor)
        if progress:
            progress(n, total)
    for item in data.get("translations", ()):
        article_update(article=articles[item["key"]], author=actor, locale=item["locale"], title=item["title"], body=item["body"])
    return articles
