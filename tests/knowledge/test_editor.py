"""Agents write articles in the workspace: versions with a diff and restore, translations, sanitized Markdown."""
import pytest
from django.urls import reverse

from parley.core import actors
from parley.knowledge.models import Article, ArticleVersion
from parley.knowledge.search import search_articles
from parley.knowledge.services import article_create, category_create, section_create


@pytest.fixture
def section(db):
    return section_create(category=category_create(name="Orders", actor=actors.SYSTEM), name="Shipping", actor=actors.SYSTEM)


def _form(section, **overrides):
    data = {"section": section.pk, "locale": "en", "title": "Ship to a locker", "body": "Choose **Locker** at checkout.",
            "tags": "Delivery, locker", "status": "published", "related": ""}
    return {**data, **overrides}


def test_an_agent_writes_an_article_that_customers_then_find(client, agent, section):
    client.force_login(agent)

    response = client.post(reverse("knowledge:article-new"), _form(section))

    article = Article.objects.get()
    assert response.status_code == 302 and article.tags == ["delivery", "locker"] and article.slug == "ship-to-a-locker"
    assert search_articles("locker", locale="en")[0].translation.article == article
    assert "<strong>Locker</strong>" in client.get(reverse("help:article", args=[article.slug])).content.decode()


def test_editing_keeps_every_version_shows_the_diff_and_restores_an_old_one(client, agent, section):
    client.force_login(agent)
    client.post(reverse("knowledge:article-new"), _form(section))
    article = Article.objects.get()
    client.post(reverse("knowledge:article", args=[article.pk]), _form(section, body="Choose **Parcel locker** at checkout.\n\nIt is free."))

    first, second = ArticleVersion.objects.order_by("number")
    diff = client.get(reverse("knowledge:version", args=[article.pk, second.pk])).content.decode()
    assert "diff-removed" in diff and "- Choose **Locker** at checkout." in diff and "+ It is free." in diff

    client.post(reverse("knowledge:version-restore", args=[article.pk, first.pk]))

    assert ArticleVersion.objects.count() == 3
    assert article.translations.get().body == "Choose **Locker** at checkout."
    assert search_articles("free", locale="en") == []


def test_a_translation_is_added_per_locale(client, agent, section):
    client.force_login(agent)
    client.post(reverse("knowledge:article-new"), _form(section))
    article = Article.objects.get()

    client.post(reverse("knowledge:article", args=[article.pk]), _form(section, locale="fr", title="Livraison en consigne",
                                                                       body="Choisissez **Consigne** lors du paiement."))

    assert sorted(article.translations.values_list("locale", flat=True)) == ["en", "fr"]
    assert "Livraison en consigne" in client.get(reverse("help:article", args=[article.slug]), {"lang": "fr"}).content.decode()


def test_an_incomplete_article_is_refused_and_says_what_is_missing(client, agent, section):
    client.force_login(agent)

    response = client.post(reverse("knowledge:article-new"), _form(section, title="", body=""))

    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Article.objects.exists()


def test_a_light_agent_may_not_edit_the_help_center(client, make_agent, section):
    client.force_login(make_agent("light_agent"))

    assert client.get(reverse("knowledge:articles")).status_code == 403


def _elements(html: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


INJECTIONS = [
    "<script>window.pwned = 1</script>",
    "<img src=x onerror=\"window.pwned = 1\">",
    "[click](javascript:window.pwned=1)",
    "<iframe src=\"https://evil.example\"></iframe>",
]


@pytest.mark.parametrize("body", INJECTIONS)
def test_html_and_script_in_markdown_are_never_rendered_as_markup(section, body):
    article = article_create(section=section, title="Injected", body=f"Hello {body}", status="published", author=actors.SYSTEM)

    tags = _elements(article.translations.get().html)
    assert {tag for tag, _ in tags} <= {"p", "a"}
    assert all(not name.startswith("on") and not (value or "").startswith("javascript:") for _, attrs in tags for name, value in attrs)


def test_an_agent_turns_a_reply_into_a_draft_article(client, agent, section, api_inbox, on_commit):
    from parley.channels.base import InboundMessage
    from parley.conversations.services import message_receive, message_reply

    with on_commit():
        inbound = message_receive(inbox=api_inbox, inbound=InboundMessage(external_id="e1", identity_kind="external_id",
                                                                         source_id="c1", text="How do lockers work?"))
        reply = message_reply(conversation=inbound.conversation, author=agent, text="Pick **Locker** at checkout and use the code we send.")
    client.force_login(agent)

    response = client.post(reverse("knowledge:from-message", args=[reply.pk]))

    article = Article.objects.get()
    assert response.status_code == 302 and article.status == "draft"
    assert article.translations.get().body == "Pick **Locker** at checkout and use the code we send."


def test_the_composer_finds_articles_to_link(client, agent, help_center, settings):
    client.force_login(agent)

    picker = client.get(reverse("knowledge:link-picker"), {"article_query": "invoice pdf"}).content.decode()

    assert f'data-insert-link="Download an invoice: {settings.PARLEY_BASE_URL.rstrip("/")}/portal/help/a/download-an-invoice/?lang=en"' in picker


def test_an_article_without_a_title_is_refused_in_the_language_of_the_request(section, agent):
    from django.utils import translation

    from parley.core.errors import ValidationFailed

    with translation.override("de"), pytest.raises(ValidationFailed) as refused:
        article_create(section=section, title=" ", body="x" * 200_001, author=agent)

    assert refused.value.message == "Der Artikel ist unvollständig: der Titel ist leer; der Text ist länger als 200000 Zeichen."
    assert refused.value.extra == {"title": "required", "body": "at most 200000 characters"}
