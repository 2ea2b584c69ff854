"""Render e-mail HTML as plain text."""
from __future__ import annotations

import re
from html.parser import HTMLParser


_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "footer", "form",
    "header", "hr", "li", "ol", "pre", "section", "table", "tr", "ul",
}
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
# Hostile nesting would otherwise grow every line by two characters per level.
_MAX_QUOTE_PREFIX = 20
# Not "head": a mail that never closes it would lose its whole body, and its visible bits are skipped anyway.
_SKIP_TAGS = {"script", "style", "title", "template", "noscript", "object", "svg"}
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")


class _TextRenderer(HTMLParser):
    """Collect the visible text of an HTML document, quoting blockquotes with '>'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def prefix(self) -> str:
        return "> " * min(self.quote_depth, _MAX_QUOTE_PREFIX)

    def flush(self, blank: bool = False) -> None:
        prefix = self.prefix()
        text = "".join(self.current)
        text = text.rstrip() if self.pre_depth else text.strip()
        if text:
            self.lines.append(prefix + text)
        elif blank:
            self.lines.append(prefix.rstrip())
        self.current = []

    def _paragraph_gap(self) -> None:
        self.flush()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append(self.prefix().rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag == "br":
            self.flush(blank=True)
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph_gap()
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "li":
                self.current.append("- ")
            elif tag == "pre":
                self.pre_depth += 1
            elif tag == "hr":
                self.lines.append("----")
        elif tag in ("td", "th") and self.current:
            self.current.append("\t")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.current.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "a":
            # Show the target only when the visible text hides it, as plain-text mailers do.
            if self.href and self.href.startswith(("http:", "https:")) and self.href not in "".join(self.link_text):
                self.current.append(f" <{self.href}>")
            self.href = None
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph_gap()
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.flush(blank=True)
                self.current.append(line)
            return
        text = _SPACES.sub(" ", data)
        if not self.current or self.current[-1].endswith((" ", "\t")):
            text = text.lstrip()
        if text:
            self.current.append(text)
            if self.href is not None:
                self.link_text.append(text)


def html_to_text(html: str) -> str:
    """Render the visible text of `html`, one block per line and blockquotes prefixed with '> '."""
    renderer = _TextRenderer()
    try:
        renderer.feed(html)
        renderer.close()
    except (AssertionError, ValueError):
        # HTMLParser gives up on a few malformed declarations; keep what was rendered so far.
        pass
    renderer.flush()
    text = "\n".join(line.rstrip() for line in renderer.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
