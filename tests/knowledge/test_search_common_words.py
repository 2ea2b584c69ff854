"""A word most articles hold does not decide the ranking: the question's rarer words do."""
import pytest

from parley.core import actors
from parley.knowledge import search
from parley.knowledge.search import search_articles
from parley.knowledge.services import article_create, category_create, section_create

TOPICS = ["status", "history", "confirmation", "limits", "splitting", "merging", "reminders", "printing", "archive",
          "export", "labels", "batches", "priority", "templates", "summary", "approval", "holds", "notes", "tags", "totals"]


@pytest.fixture
def orders_help_center(db, monkeypatch):
    """Twenty articles about orders and one about engraving, which never says "order"."""
    # "Common" starts at a thousand articles; this help center is a small model of a large one.
    monkeypatch.setattr(search, "COMMON_MIN_ARTICLES", 5)
    section = section_create(category=category_create(name="Orders", actor=actors.SYSTEM), name="Orders", actor=actors.SYSTEM)
    for topic in TOPICS:
        article_create(section=section, title=f"Order {topic}", body=f"Open Orders to see the {topic} of an order.",
                       status="published", author=actors.SYSTEM)
    return article_create(section=section, title="Personalise a gift",
                          body="Add an engraving to a watch or a ring at checkout; it takes two extra days.",
                          status="published", author=actors.SYSTEM)


@pytest.mark.parametrize("mode", ["fulltext", "hybrid"])
def test_the_rare_word_of_a_question_finds_its_article_among_many_holding_the_common_one(orders_help_center, mode):
    hits = search_articles("engraving on my order", locale="en", limit=3, mode=mode)
    assert hits[0].translation.article_id == orders_help_center.pk


@pytest.mark.parametrize("mode", ["fulltext", "hybrid"])
@pytest.mark.parametrize("text", ["order", "order zzyzx"])
def test_a_question_of_common_words_still_finds_the_articles_holding_them(orders_help_center, mode, text):
    hits = search_articles(text, locale="en", limit=5, mode=mode)
    assert len(hits) == 5 and all(hit.translation.title.startswith("Order ") for hit in hits)
