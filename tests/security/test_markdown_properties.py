"""Property-based tests of Markdown rendering: whatever the author writes, the HTML is inert."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from conduit.web.markdown import ATTRIBUTES, IMAGE_SCHEMES, LINK_SCHEMES, TAGS, render_markdown

# Fragments an attacker would reach for, mixed with Markdown syntax and ordinary text.
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//evil.example>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    "![ok](https://example.com/a.png)",
    "[ok](https://example.com)",
    "[mail](mailto:a@example.com)",
    "<style>body{}</style>",
    "<svg><script>alert(1)</script></svg>",
    '" onmouseover="alert(1)',
    '<div style="x" onclick="y">',
    "`<b>code</b>`",
    "```\n<script>x</script>\n```",
    "> quote",
    "# heading",
    "* item",
    "| a | b |\n|---|---|\n| <i>c</i> | d |",
    "**bold**",
    "&lt;script&gt;",
    "<!-- comment -->",
]
fragments = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
documents = st.lists(fragments, max_size=12).map(lambda parts: "\n".join(parts))


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def _scheme(url: str) -> str:
    return urlsplit(url.strip()).scheme.lower()


@settings(max_examples=300, deadline=None)
@given(documents)
def test_only_allowed_tags_and_attributes_survive(text: str) -> None:
    for tag, attrs in _elements(render_markdown(text)):
        assert tag in TAGS
        for name, _value in attrs:
            # nh3 adds rel to links; everything else must be on the allow-list.
            assert name in ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
            assert not name.startswith("on")


@settings(max_examples=300, deadline=None)
@given(documents)
def test_links_and_images_keep_only_safe_schemes(text: str) -> None:
    for tag, attrs in _elements(render_markdown(text)):
        values = dict(attrs)
        if tag == "a" and values.get("href") is not None:
            assert _scheme(values["href"] or "") in LINK_SCHEMES
        if tag == "img" and values.get("src") is not None:
            assert _scheme(values["src"] or "") in IMAGE_SCHEMES


@settings(max_examples=300, deadline=None)
@given(documents)
def test_no_script_can_appear(text: str) -> None:
    html = render_markdown(text).lower()
    assert "<script" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "javascript:" not in "".join(
        str(value).lower() for _tag, attrs in _elements(html) for _name, value in attrs
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z0-9]{3,12}", fullmatch=True), min_size=1, max_size=8))
def test_plain_words_are_kept(words: list[str]) -> None:
    html = render_markdown(" ".join(words))
    for word in words:
        assert word in html
