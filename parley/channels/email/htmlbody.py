"""Render e-mail HTML as plain text, and cut it where the quoted history or the signature starts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .quotes import ReplyParts, clean_lines, split_lines


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

    def __init__(self, line_offsets: list[int]) -> None:
        super().__init__(convert_charrefs=True)
        self.line_offsets = line_offsets
        self.lines: list[str] = []
        # Where in the source each rendered line starts: the first tag or text after the previous line.
        self.starts: list[int] = []
        self.pending: int | None = None
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def prefix(self) -> str:
        return "> " * min(self.quote_depth, _MAX_QUOTE_PREFIX)

    def mark(self) -> None:
        """Remember where the current event starts, if no rendered line has claimed an earlier spot."""
        if self.pending is None:
            line, column = self.getpos()
            self.pending = self.line_offsets[line - 1] + column

    def emit(self, line: str) -> None:
        self.mark()
        self.lines.append(line.replace("\n", " "))
        self.starts.append(self.pending)
        self.pending = None

    def flush(self, blank: bool = False) -> None:
        prefix = self.prefix()
        text = "".join(self.current)
        text = text.rstrip() if self.pre_depth else text.strip()
        if text:
            self.emit(prefix + text)
        elif blank:
            self.emit(prefix.rstrip())
        self.current = []

    def _paragraph_gap(self) -> None:
        self.flush()
        if self.lines and self.lines[-1].strip("> "):
            self.emit(self.prefix().rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.mark()
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
                self.emit("----")
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
        if data.strip():
            self.mark()
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


def _render(html: str) -> tuple[list[str], list[int]]:
    """Return the rendered lines of `html` and the source offset where each starts."""
    line_offsets = [0] + [match.end() for match in re.finditer("\n", html)]
    renderer = _TextRenderer(line_offsets)
    try:
        renderer.feed(html)
        renderer.close()
    except (AssertionError, ValueError):
        # HTMLParser gives up on a few malformed declarations; keep what was rendered so far.
        pass
    renderer.flush()
    lines, starts = [], []
    for line, start in zip(renderer.lines, renderer.starts):
        line = line.replace("\r", "").rstrip()
        # One blank line is a paragraph break; HTML's stacked empty blocks say nothing more.
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
        starts.append(start)
    while lines and not lines[-1]:
        lines.pop()
        starts.pop()
    return lines, starts


def html_to_text(html: str) -> str:
    """Render the visible text of `html`, one block per line and blockquotes prefixed with '> '."""
    return "\n".join(_render(html)[0]).strip()


@dataclass(frozen=True)
class HtmlReply:
    """An HTML body cut into what the sender wrote, the folded signature and the quoted history (raw HTML)."""

    visible: str
    signature: str
    quoted: str
    parts: ReplyParts


def split_html(html: str, *, forwarded: bool = False) -> HtmlReply:
    """Cut `html` where split_lines finds the signature and a trailing quote in its rendered text.

    An interleaved quote (answers between quoted lines) is left in place: cutting it would tear
    the answers from their questions.
    """
    lines, starts = _render(html)
    parts = split_lines(clean_lines("\n".join(lines)), forwarded=forwarded)
    quote_line = parts.quote_line
    # Blank lines before the quote start inside the closing tags of the last paragraph: cut after them.
    while quote_line is not None and quote_line < len(lines) - 1 and not lines[quote_line].strip():
        quote_line += 1
    quote_at = starts[quote_line] if quote_line is not None else len(html)
    signature_at = starts[parts.signature_line] if parts.signature_line is not None else quote_at
    signature_at = min(signature_at, quote_at)
    return HtmlReply(html[:signature_at], html[signature_at:quote_at], html[quote_at:], parts)
