import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.Model):
    """The top of the help center: "Orders", "Account"."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, allow_unicode=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A group of articles inside a category: "Returns" under "Orders"."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, allow_unicode=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "slug"], name="knowledge_section_slug_unique")]

    def __str__(self) -> str:
        return f"{self.category} › {self.name}"


class Article(models.Model):
    """One help-center article; its words live in one translation per locale."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=160, unique=True, allow_unicode=True)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField("self", symmetrical=False, blank=True)
    view_count = models.PositiveIntegerField(default=0, db_index=True)
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["section", "slug"]

    def __str__(self) -> str:
        return self.slug


class ArticleTranslation(models.Model):
    """An article's title and Markdown body in one locale, with what search reads from it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    locale = models.CharField(max_length=12)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown")
    #: The body rendered and sanitized, so pages never render Markdown on the way out.
    html = models.TextField()
    #: The rendered body as plain text: what full-text search and snippets read.
    plain = models.TextField()
    #: The sentence embedding of title and body (float16), or empty when no model was installed.
    embedding = models.BinaryField(default=b"", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "locale"]
        constraints = [models.UniqueConstraint(fields=["article", "locale"], name="knowledge_translation_locale_unique")]

    def __str__(self) -> str:
        return f"{self.title} ({self.locale})"


def article_image_path(instance: "ArticleImage", filename: str) -> str:
    # Named by the image's random id only: the uploader's file name never reaches the disk or the URL.
    return f"help-images/{instance.article_id}/{instance.public_id.hex}"


class ArticleImage(models.Model):
    """An image uploaded in the article editor, served from the help center at an unguessable address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=article_image_path, max_length=200)
    #: Told by the file's bytes when it was uploaded (PNG, JPEG, GIF or WebP), and sent with it.
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    alt = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"image {self.public_id} of {self.article}"


class ArticleVersion(models.Model):
    """A saved state of a translation; restoring one saves it again as the newest version."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["translation", "-number"]
        constraints = [models.UniqueConstraint(fields=["translation", "number"], name="knowledge_version_number_unique")]


class ArticleFeedback(models.Model):
    """A reader's answer to "Was this helpful?"."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    locale = models.CharField(max_length=12)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]


class SearchSource(models.TextChoices):
    HELP_CENTER = "help_center", _("Help center search")
    CONTACT_FORM = "contact_form", _("Contact form suggestions")
    BOT = "bot", _("Bot")


class SearchLog(models.Model):
    """A customer's search, so the team sees what people look for and which searches find nothing."""

    query = models.CharField(max_length=300)
    locale = models.CharField(max_length=12)
    source = models.CharField(max_length=20, choices=SearchSource.choices)
    result_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["result_count", "-created_at"])]


class Deflection(models.Model):
    """A suggested article a customer opened from the contact form; `submitted` tells whether they wrote in anyway."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    session_key = models.CharField(max_length=64, db_index=True)
    query = models.CharField(max_length=300, blank=True)
    submitted = models.BooleanField(default=False)
    opened_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-opened_at"]


class IndexGeneration(models.Model):
    """One row whose number changes (to a random one) on every change to the search index, so each process knows when its vectors are stale."""

    number = models.PositiveBigIntegerField(default=0)
