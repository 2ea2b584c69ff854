"""Images in help-center articles: uploaded in the editor, told by their bytes, served with their type, and only
Parley's own images shown in a body."""
import base64

import pytest
from django.test import Client

from parley.accounts.models import Role
from parley.knowledge.models import ArticleImage
from parley.knowledge.rendering import render_markdown
from parley.knowledge.services import article_create, article_update, section_create

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def article(db, admin):
    from parley.knowledge.models import Category

    category = Category.objects.create(name="Orders", slug="orders")
    section = section_create(category=category, name="Returns", actor=admin)
    return article_create(section=section, title="Return a parcel", body="Print the label.", author=admin, status="published")


@pytest.fixture
def editor(make_agent):
    client = Client()
    client.force_login(make_agent(Role.AGENT, name="Eda Editor"))
    return client


def _upload(client, article, content: bytes, name: str = "photo.png", alt: str = "The label", json: bool = True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/knowledge/{article.pk}/images/", {"image": SimpleUploadedFile(name, content), "alt": alt},
                       headers=headers)


def test_an_uploaded_image_is_served_with_the_type_its_bytes_show(editor, article):
    answer = _upload(editor, article, PNG, name="label.exe", alt="The [return] label")

    assert answer.status_code == 201
    image = ArticleImage.objects.get()
    assert answer.json() == {"url": f"/portal/help/images/{image.public_id}/",
                             "markdown": f"![The (return) label](/portal/help/images/{image.public_id}/)"}
    assert "label.exe" not in image.file.name
    served = Client().get(answer.json()["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG


def test_what_is_not_a_raster_image_or_too_large_is_refused_and_nothing_is_stored(editor, article, settings):
    from parley.knowledge import services

    svg = _upload(editor, article, SVG, name="logo.png")
    empty = _upload(editor, article, b"", name="nothing.png")
    huge = _upload(editor, article, PNG + b"\0" * services.MAX_IMAGE_BYTES)
    long_alt = _upload(editor, article, PNG, alt="x" * 201)

    assert (svg.status_code, svg.json()["extra"]) == (422, {"image": "not a raster image"})
    assert svg.json()["message"] == "The image must be a PNG, JPEG, GIF or WebP file."
    assert (empty.status_code, huge.status_code, long_alt.status_code) == (422, 413, 422)
    assert huge.json()["message"] == "An image may be at most 5 MB."
    assert not ArticleImage.objects.exists()


def test_without_the_script_the_form_comes_back_with_the_markdown_or_the_problem(editor, article):
    done = _upload(editor, article, PNG, json=False)
    refused = _upload(editor, article, SVG, json=False)

    assert done.status_code == refused.status_code == 302
    page = editor.get(f"/knowledge/{article.pk}/").content.decode()
    image = ArticleImage.objects.get()
    assert f"Put it in the body with: ![The label](/portal/help/images/{image.public_id}/)" in page
    assert "The image must be a PNG, JPEG, GIF or WebP file." in page
    assert page.count(f"/portal/help/images/{image.public_id}/") == 2  # the message and the editor's image list


def test_an_article_shows_its_own_images_and_never_another_sites_or_a_script(editor, article, admin):
    own = _upload(editor, article, PNG).json()["url"]
    article_update(article=article, author=admin, body=f"![Label]({own})\n\n![Tracker](https://tracker.example/p.gif)\n\n"
                                                     '<img src="/x" onerror="alert(1)">')

    page = Client().get(f"/portal/help/a/{article.slug}/").content.decode()

    assert f'<img src="{own}" alt="Label">' in page
    assert '<img alt="Tracker">' in page and "tracker.example" not in page
    assert "onerror=" not in page.replace('&lt;img src="/x" onerror="alert(1)"&gt;', "")  # raw HTML is shown as text


def test_images_from_elsewhere_are_dropped_from_any_rendered_body():
    html = render_markdown("![a](https://elsewhere.example/a.png) ![b](//cdn.example/b.png) ![c](/portal/help/images/x/)")

    assert "elsewhere.example" not in html and "cdn.example" not in html
    assert '<img src="/portal/help/images/x/" alt="c">' in html


def test_an_unknown_image_is_a_404(db):
    assert Client().get("/portal/help/images/00000000-0000-4000-8000-000000000000/").status_code == 404
