"""Article bodies: Markdown to HTML (raw HTML off), then sanitised with an allow-list.

Two layers on purpose: markdown-it never emits the author's HTML, and nh3 removes anything that
still is not plain formatting, whatever a future parser bug might produce.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

TAGS = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _allowed_url(value: str, schemes: frozenset[str]) -> bool:
    # Only absolute URLs with an allowed scheme: no relative, protocol-relative or data: URLs.
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in schemes:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _allowed_url(value, LINK_SCHEMES) else None
    if tag == "img" and attribute == "src":
        return value if _allowed_url(value, IMAGE_SCHEMES) else None
    return value


def render_markdown(text: str) -> str:
    html = _parser.render(text)
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        attribute_filter=_filter,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
