"""Sanitize HTML that came from outside (mail, forms, API clients) before it is stored or shown."""
import re

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "div", "dl", "dt", "em",
    "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"style", "dir", "align"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign"},
    "font": {"color"},
    "ol": {"start"},
}
# Layout-neutral properties only: positioning or sizing could let a mail overlay the agent UI.
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-family", "font-size", "text-decoration",
    "text-align", "white-space",
}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=\"\s*(https?:)?//", re.IGNORECASE)
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
# Markers mail clients put on quoted history and signatures, kept so the UI can fold them.
_QUOTE_CLASSES = {"gmail_quote", "gmail_attr", "gmail_signature", "moz-cite-prefix", "moz-signature"}


def _without_remote_images(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src" and _REMOTE.match(value):
        return None
    return value


def has_remote_images(html: str) -> bool:
    """Tell whether sanitized `html` loads an image from another server (which learns who read it, and when)."""
    return bool(_REMOTE_IMG.search(html or ""))


def sanitize_html(html: str, *, remote_images: bool = True) -> str:
    """Return `html` with scripts, styles, event handlers and unsafe URLs removed; without remote images if asked."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        filter_style_properties=_STYLE_PROPERTIES,
        clean_content_tags={"script", "style", "head", "title", "template", "noscript"},
        link_rel="noopener noreferrer nofollow",
        allowed_classes={"div": _QUOTE_CLASSES, "blockquote": _QUOTE_CLASSES, "span": _QUOTE_CLASSES},
        attribute_filter=None if remote_images else _without_remote_images,
    )
