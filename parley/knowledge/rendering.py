"""Markdown to safe HTML and to the plain text that search reads."""
import html as html_lib
import re

import nh3
from markdown_it import MarkdownIt

from parley.core.html import sanitize_html

# Raw HTML in an article is shown as text, never interpreted; nh3 then cleans what Markdown itself made.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable("strikethrough")
_SPACE = re.compile(r"\s+")


def render_markdown(body: str) -> str:
    """Return `body` (Markdown) as sanitized HTML.

    Images from other servers are dropped: they would tell those servers who read the page and when.
    Images uploaded in the editor are Parley's own (knowledge.services.article_image_add).
    """
    return sanitize_html(_markdown.render(body), remote_images=False)


def plain_text(rendered_html: str) -> str:
    """Return the text of rendered HTML, one space between words."""
    text = nh3.clean(rendered_html.replace("</", " </"), tags=set())
    return _SPACE.sub(" ", html_lib.unescape(text)).strip()


def first_sentences(text: str, limit: int = 240) -> str:
    """Return the opening of `text`, cut at a sentence end when one falls within `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[:end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "…"
