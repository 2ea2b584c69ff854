"""In a real browser: an agent puts an image into an article from the editor, and a customer sees it."""
import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.knowledge.models import ArticleImage, Category
from parley.knowledge.services import article_create, section_create
from tests.knowledge.test_article_images import PNG, SVG
from tests.workspace.conftest import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.servers]


def test_an_agent_uploads_an_image_into_the_body_and_customers_see_it(transactional_db, parley_server, page, make_agent,
                                                                      admin):
    section = section_create(category=Category.objects.create(name="Orders", slug="orders"), name="Returns", actor=admin)
    article = article_create(section=section, title="Return a parcel", body="Print the label.", author=admin,
                             status="published")
    _log_in(page, parley_server, make_agent(Role.AGENT, name="Eda Editor"))
    page.goto(f"{parley_server}/knowledge/{article.pk}/")

    images = page.get_by_role("region", name="Images")
    images.get_by_label("Image").set_input_files({"name": "evil.png", "mimeType": "image/png", "buffer": SVG})
    images.get_by_role("button", name="Upload image").click()
    expect(images.get_by_role("alert")).to_have_text("The image must be a PNG, JPEG, GIF or WebP file.")
    body = page.get_by_label("Body")
    body.fill("Print the label.")
    body.evaluate("b => b.setSelectionRange(b.value.length, b.value.length)")
    images.get_by_label("Image").set_input_files({"name": "label.png", "mimeType": "image/png", "buffer": PNG})
    images.get_by_label("Description (for screen readers)").fill("The return label")
    images.get_by_role("button", name="Upload image").click()
    expect(images.locator("#article-images li")).to_have_count(1)  # the upload has been answered
    image = ArticleImage.objects.get(article=article)
    expect(body).to_have_value(f"Print the label.\n\n![The return label](/portal/help/images/{image.public_id}/)\n")
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_text("Article saved.")).to_be_visible()

    page.goto(f"{parley_server}/portal/help/a/{article.slug}/")
    shown = page.get_by_role("img", name="The return label")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 1
