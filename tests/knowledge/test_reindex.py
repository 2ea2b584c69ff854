"""Reindexing rebuilds full text and vectors, and tells how far it is."""
from parley.cli import main
from parley.knowledge.models import ArticleTranslation
from parley.knowledge.search import fulltext, search_articles


def test_reindex_rebuilds_a_lost_index_and_prints_progress(help_center, capsys, django_db_blocker):
    from django.db import connection

    fulltext.clear(connection)
    ArticleTranslation.objects.update(embedding=b"")
    from parley.knowledge.services import _bump_generation

    _bump_generation()
    assert search_articles("customs duties", locale="en") == []

    assert main(["reindex"]) == 0

    output = capsys.readouterr().out
    assert "Indexed 37/37 article translations (100%)" in output and "Indexed 37 article translations." in output
    assert search_articles("customs duties", locale="en")[0].translation.article_id == help_center["international-shipping"].pk
    assert search_articles("I ordered by mistake, can I undo it", locale="en", mode="semantic")
