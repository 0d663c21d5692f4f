"""What users write is shown, never run: Markdown is sanitised and everything else escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from conduit.web.markdown import render_markdown
from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f"{SCRIPT}{IMG}"
OUR_SCRIPT = ("script", (("src", "/static/conduit.js"), ("defer", None)))
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "meta"}


class Tags(HTMLParser):
    """The elements a browser would build from the page, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, tuple(attrs)))


def assert_inert(html: str) -> None:
    for tag, attrs in Tags(html).found:
        if (tag, attrs) == OUR_SCRIPT or (tag == "meta" and attrs[0][0] in ("charset", "name")):
            continue
        assert tag not in ACTIVE_TAGS, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src", "action") and value:
                scheme = value.strip().split(":", 1)[0].lower()
                assert scheme not in ("javascript", "vbscript", "data"), (tag, value)


def test_markdown_renders_formatting() -> None:
    html = render_markdown("# Title\n\n**bold** and `code`\n\n- one\n- two")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        SCRIPT,
        IMG,
        '<a href="javascript:alert(1)">x</a>',
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_markdown_leaves_nothing_that_runs(source: str) -> None:
    html = render_markdown(source)
    assert_inert(html)


def test_links_keep_only_http_https_and_mailto() -> None:
    html = render_markdown(
        "[a](https://a.example) [b](http://b.example) [c](mailto:c@example.com) "
        "[d](ftp://d.example) [e](/relative) [f](//protocol.relative)"
    )
    assert 'href="https://a.example"' in html
    assert 'href="http://b.example"' in html
    assert 'href="mailto:c@example.com"' in html
    assert html.count("href=") == 3
    assert 'rel="nofollow noopener noreferrer"' in html


def test_images_keep_only_http_and_https() -> None:
    html = render_markdown(
        "![a](https://a.example/a.png) ![b](http://b.example/b.png) ![c](mailto:c@example.com) "
        "![d](data:image/png;base64,AAAA) ![e](/local.png)"
    )
    assert 'src="https://a.example/a.png"' in html
    assert 'src="http://b.example/b.png"' in html
    assert html.count("src=") == 2


async def test_payloads_in_every_field_are_rendered_inert(
    alice: Persona, bob: Persona, browser: Browser
) -> None:
    response = await alice.put(
        "/api/user",
        {"user": {"bio": PAYLOAD, "image": 'https://img.example/a.png"onerror="alert(1)'}},
    )
    assert response.status_code == 200, response.text
    article = await alice.write(
        title=f"Title {PAYLOAD}",
        description=f"Description {PAYLOAD}",
        body=f"Body {PAYLOAD}\n\n[link](javascript:alert(1))",
        tags=[SCRIPT, IMG],
    )
    await bob.comment(article["slug"], f"Comment {PAYLOAD}")
    await browser.sign_in("alice")
    pages = [
        "/",
        f"/tag/{SCRIPT}",
        f"/article/{article['slug']}",
        "/profile/alice",
        "/profile/bob/favorites",
        f"/editor/{article['slug']}",
        "/settings",
    ]
    for path in pages:
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert_inert(page.text)
    article_page = (await browser.get(f"/article/{article['slug']}")).text
    assert "Title &lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in article_page
    assert "Comment &lt;script&gt;" in article_page
    assert "Body &lt;script&gt;" in article_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in article_page
    # The image URL stays one attribute value: its quote is escaped, not closing the attribute.
    assert 'src="https://img.example/a.png&#34;onerror=&#34;alert(1)"' in article_page
    profile = (await browser.get("/profile/alice")).text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in profile


async def test_pages_have_no_inline_script_or_style_and_load_nothing_from_elsewhere(
    alice: Persona, browser: Browser
) -> None:
    article = await alice.write(tags=["dragons"])
    await browser.sign_up("bob")
    pages = ["/", "/settings", "/editor", f"/article/{article['slug']}", "/tag/dragons"]
    for path in [*pages, "/profile/alice", "/profile/bob/favorites"]:
        html = (await browser.get(path)).text
        tags = Tags(html).found
        assert [attrs for tag, attrs in tags if tag == "script"] == [OUR_SCRIPT[1]], path
        for tag, attrs in tags:
            assert "style" not in dict(attrs), (path, tag)
            for name, value in attrs:
                if name in ("src", "href", "action"):
                    assert (value or "").startswith("/"), (path, tag, value)
