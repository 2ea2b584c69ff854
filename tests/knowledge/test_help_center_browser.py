"""A customer uses the help center in a real browser against a real server."""
import pytest
from playwright.sync_api import expect

from parley.community.services import question_post, topic_create
from parley.contacts.models import Contact
from parley.core import actors
from parley.knowledge.models import ArticleFeedback, Deflection
from parley.knowledge.services import article_create, section_create

pytestmark = [pytest.mark.browser, pytest.mark.servers]


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def test_a_customer_on_a_phone_searches_reads_and_rates_an_article(phone_page, parley_server, transactional_db, help_center):
    page = phone_page
    page.goto(parley_server + "/portal/")
    page.get_by_label("Search the help center").fill("customs duties")
    page.get_by_role("button", name="Search").click()

    first = page.locator(".result").first
    expect(first.get_by_role("link")).to_have_text("Shipping abroad, customs and import duties")
    expect(first.locator("mark").first).to_have_text("customs")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    first.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping abroad, customs and import duties")
    page.get_by_label("Comment").fill("Clear, thanks")
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your feedback")
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful and feedback.comment == "Clear, thanks"


def test_typing_in_the_contact_form_suggests_an_article_and_opening_it_counts_as_a_deflection(
        page, parley_server, transactional_db, help_center, webform_inbox):
    page.goto(parley_server + "/portal/contact/")
    page.get_by_label("Message").press_sequentially("How do I reset my password?", delay=20)

    suggestion = page.get_by_role("region", name="Suggested articles").get_by_role("link", name="Reset your password")
    expect(suggestion).to_be_visible()
    with page.context.expect_page() as opened:
        suggestion.click()
    expect(opened.value.get_by_role("heading", level=1)).to_have_text("Reset your password")
    deflection = Deflection.objects.get()
    assert deflection.article == help_center["reset-password"] and not deflection.submitted


INJECTION = ("<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 1\">"
             "[a link](javascript:window.pwned=1) <b onmouseover=\"window.pwned = 1\">bold</b>")


def test_markup_injected_into_an_article_or_a_community_post_stays_text(page, parley_server, transactional_db):
    from parley.knowledge.services import category_create

    section = section_create(category=category_create(name="Misc", actor=actors.SYSTEM), name="Misc", actor=actors.SYSTEM)
    article = article_create(section=section, title="<script>window.pwned=1</script> Title", body=f"Body {INJECTION}",
                             status="published", author=actors.SYSTEM)
    topic = topic_create(name="General", actor=actors.SYSTEM)
    question = question_post(topic=topic, author=Contact.objects.create(name="<img src=x onerror=window.pwned=1>", email="m@example.test"),
                             title="<b>Hi</b>", body=f"Question {INJECTION}")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for path in (f"/portal/help/a/{article.slug}/", f"/portal/community/q/{question.pk}/", "/portal/community/"):
        page.goto(parley_server + path)
        page.mouse.move(10, 10)
        for link in page.locator("a", has_text="a link").all():
            link.click(no_wait_after=True)
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("script:not([src])").count() == 0 and page.locator("[onerror], [onmouseover]").count() == 0
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert dialogs == []
