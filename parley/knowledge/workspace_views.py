"""The help center in the agent workspace: write and edit articles, their versions, structure and the self-service report."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.core.errors import ApplicationError
from parley.knowledge import locales, selectors, services
from parley.knowledge.forms import ArticleForm, CategoryForm, SectionForm
from parley.knowledge.models import Article, ArticleVersion, Category
from parley.knowledge.search import search_articles
from parley.workspace.views import allowed

REFUSAL = gettext_lazy("Your role may not edit the help center.")


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, f"knowledge/workspace/{template}", {"section": "knowledge", **context}, status=status)


@login_required
@require_GET
def article_list(request):
    allowed(request, "knowledge.edit", REFUSAL)
    return _page(request, "articles.html", {
        "articles": selectors.articles_for_editor(text=request.GET.get("q", ""), status=request.GET.get("status", "")),
        "query": request.GET.get("q", ""), "status": request.GET.get("status", "")})


def _related(form: ArticleForm) -> list[int]:
    return list(Article.objects.filter(slug__in=form.related_slugs()).values_list("pk", flat=True))


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    allowed(request, "knowledge.edit", REFUSAL)
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = services.article_create(section=data["section"], title=data["title"], body=data["body"],
                                              locale=data["locale"], tags=form.tag_list(), status=data["status"],
                                              author=request.user)
            services.article_update(article=article, author=request.user, locale=data["locale"], related_ids=_related(form))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(request, gettext("Article saved."))
            return redirect("knowledge:article", article.pk)
    if not selectors.sections():
        messages.info(request, gettext("Add a category and a section first: every article lives in a section."))
        return redirect("knowledge:structure")
    return _page(request, "article_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, article_id: int):
    allowed(request, "knowledge.edit", REFUSAL)
    article = get_object_or_404(Article.objects.prefetch_related("translations", "related"), pk=article_id)
    locale = request.POST.get("locale") or request.GET.get("locale") or locales.default_locale()
    translation = article.translations.filter(locale=locale).first() or article.translations.first()
    initial = {"section": article.section_id, "locale": locale, "tags": ", ".join(article.tags), "status": article.status,
               "related": ", ".join(a.slug for a in article.related.all()),
               "title": translation.title if translation and translation.locale == locale else "",
               "body": translation.body if translation and translation.locale == locale else ""}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.article_update(article=article, author=request.user, locale=data["locale"], title=data["title"],
                                    body=data["body"], tags=form.tag_list(), status=data["status"], section=data["section"],
                                    related_ids=_related(form))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(request, gettext("Article saved."))
            return redirect(f"{request.path}?locale={data['locale']}")
    shown = article.translations.filter(locale=locale).first()
    return _page(request, "article_form.html", {
        "form": form, "article": article, "translation": shown,
        "images": [(image, services.image_markdown(image)) for image in article.images.all()],
        "versions": list(shown.versions.select_related("author")) if shown else [],
        "translations": [(t.locale, locales.language_name(t.locale)) for t in article.translations.all()],
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def image_upload(request, article_id: int):
    """Upload an image for the article's body: JSON {url, markdown} for the editor's script, else back to the page."""
    allowed(request, "knowledge.edit", REFUSAL)
    article = get_object_or_404(Article, pk=article_id)
    upload = request.FILES.get("image")
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        image = services.article_image_add(article=article, actor=request.user, content=upload.read() if upload else b"",
                                           alt=request.POST.get("alt", ""))
    except ApplicationError as exc:
        if wants_json:
            return JsonResponse({"message": exc.message, "extra": exc.extra}, status=exc.status)
        messages.error(request, exc.message)
        return redirect("knowledge:article", article_id=article.pk)
    markdown = services.image_markdown(image)
    if wants_json:
        return JsonResponse({"url": reverse("help:image", args=[image.public_id]), "markdown": markdown}, status=201)
    messages.info(request, gettext("Image uploaded. Put it in the body with: %(markdown)s") % {"markdown": markdown})
    return redirect("knowledge:article", article_id=article.pk)


@login_required
@require_GET
def version_detail(request, article_id: int, version_id: int):
    allowed(request, "knowledge.edit", REFUSAL)
    version = get_object_or_404(ArticleVersion.objects.select_related("translation__article", "author"),
                                pk=version_id, translation__article_id=article_id)
    previous = version.translation.versions.filter(number__lt=version.number).order_by("-number").first()
    diff = services.version_diff(previous, version) if previous else [("+", line) for line in [f"# {version.title}", *version.body.splitlines()]]
    return _page(request, "version.html", {"version": version, "previous": previous, "diff": diff,
                                           "article": version.translation.article})


@login_required
@require_POST
def version_restore(request, article_id: int, version_id: int):
    allowed(request, "knowledge.edit", REFUSAL)
    version = get_object_or_404(ArticleVersion.objects.select_related("translation__article"), pk=version_id,
                                translation__article_id=article_id)
    services.article_restore(version=version, author=request.user)
    messages.info(request, gettext("Version %(number)s restored as the current text.") % {"number": version.number})
    return redirect(f"{redirect('knowledge:article', article_id).url}?locale={version.translation.locale}")


@login_required
@require_http_methods(["GET", "POST"])
def structure(request):
    """Categories and their sections: the shelves articles stand on."""
    allowed(request, "knowledge.edit", REFUSAL)
    category_form, section_form = CategoryForm(prefix="category"), SectionForm(prefix="section")
    if request.method == "POST":
        try:
            if "category-name" in request.POST:
                category_form = CategoryForm(request.POST, prefix="category")
                if category_form.is_valid():
                    services.category_create(actor=request.user, **category_form.cleaned_data)
                    return redirect("knowledge:structure")
            else:
                section_form = SectionForm(request.POST, prefix="section")
                if section_form.is_valid():
                    category = get_object_or_404(Category, pk=section_form.cleaned_data["category"])
                    services.section_create(category=category, name=section_form.cleaned_data["name"], actor=request.user)
                    return redirect("knowledge:structure")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return _page(request, "structure.html", {"categories": Category.objects.prefetch_related("sections"),
                                             "category_form": category_form, "section_form": section_form})


@login_required
@require_GET
def report(request):
    allowed(request, "knowledge.edit", REFUSAL)
    from parley.bot.selectors import bot_report

    return _page(request, "report.html", {"report": selectors.knowledge_report(), "bot": bot_report()})


@login_required
@require_GET
def link_picker(request):
    """Articles to link from a reply (an htmx fragment under the composer)."""
    allowed(request, "conversation.view")
    query = request.GET.get("article_query", "")[:300]
    hits = search_articles(query, locale=request.GET.get("locale") or locales.default_locale(), limit=5) if query.strip() else []
    return _page(request, "_link_picker.html", {"hits": hits, "base_url": settings.PARLEY_BASE_URL.rstrip("/")})


@login_required
@require_POST
def article_from_message(request, message_id: int):
    allowed(request, "knowledge.edit", REFUSAL)
    from parley.conversations.models import Message

    message = get_object_or_404(Message.objects.select_related("conversation"), pk=message_id)
    sections = selectors.sections()
    if not sections:
        messages.error(request, gettext("Add a category and a section to the help center first."))
        return redirect("knowledge:structure")
    try:
        article = services.article_draft_from_message(message=message, section=sections[0], author=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:conversation", message.conversation_id)
    messages.info(request, gettext("Draft article created from the reply: edit it, then publish."))
    return redirect("knowledge:article", article.pk)
