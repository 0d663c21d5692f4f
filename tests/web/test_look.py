"""The look (issue 10): self-hosted RealWorld fonts, a footer at the bottom of short pages, and
dates and "Read more..." readable (WCAG AA contrast, 4.5:1)."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from conduit.web.install import STATIC

pytestmark = pytest.mark.anyio

CSS = (STATIC / "conduit.css").read_text(encoding="utf-8")
AA = 4.5


def rules(css: str) -> dict[str, dict[str, str]]:
    """Selector → declarations, for the top-level rules of a plain stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {
            name.strip(): value.strip()
            for name, value in (item.split(":", 1) for item in body.split(";") if ":" in item)
        }
        for selector in selectors.split(","):
            found.setdefault(" ".join(selector.split()), {}).update(declarations)
    return found


RULES = rules(CSS)


def value(selector: str, prop: str) -> str:
    raw = RULES[selector][prop]
    variable = re.fullmatch(r"var\((--[\w-]+)\)", raw)
    return RULES[":root"][variable.group(1)] if variable else raw


def luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", digits), hex_colour
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_helper_matches_known_ratios() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#bbb", "#fff") < AA  # the old colour of the dates


@pytest.mark.parametrize(
    ("text", "on"),
    [
        (".article-meta .info .date", "body"),  # previews and below the article
        (".article-page .banner .article-meta .info .date", ".banner"),  # the article's banner
        (".date-posted", ".card-footer"),  # comments
        (".article-preview .preview-link span", "body"),  # "Read more..."
    ],
)
def test_dates_and_read_more_meet_wcag_aa(text: str, on: str) -> None:
    assert contrast(value(text, "color"), value(on, "background")) >= AA


def test_the_footer_stays_at_the_bottom_of_short_pages() -> None:
    body = RULES["body"]
    assert (body["min-height"], body["display"], body["flex-direction"]) == (
        "100vh",
        "flex",
        "column",
    )
    assert RULES["body > main"]["flex"] == "1 0 auto"


FONT_FACES = re.findall(r"@font-face\s*\{([^}]*)\}", CSS)


def first(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, (pattern, text)
    return match.group(1)


def test_the_realworld_fonts_are_declared_and_used() -> None:
    families = {first(r'font-family:\s*"([^"]+)"', face) for face in FONT_FACES}
    assert families == {"Titillium Web", "Source Sans 3", "Source Serif 4"}
    assert value(":root", "--logo").startswith('"Titillium Web"')
    assert value(":root", "--sans").startswith('"Source Sans 3"')
    assert value(":root", "--serif").startswith('"Source Serif 4"')
    assert RULES[".logo-font"]["font-family"] == "var(--logo)"
    assert "var(--logo)" in RULES[".navbar-brand"]["font-family"]
    # Every URL in the stylesheet is our own: nothing is fetched from another host.
    assert all(url.startswith("/static/") for url in re.findall(r"url\(([^)]*)\)", CSS))
    # Each family ships with its licence.
    for family in ("titillium-web", "source-sans-3", "source-serif-4"):
        licence = (STATIC / "fonts" / f"OFL-{family}.txt").read_text(encoding="utf-8")
        assert "SIL Open Font License" in licence


async def test_the_fonts_are_served_from_here_as_woff2(client: AsyncClient) -> None:
    sources = [first(r"url\(([^)]+)\)", face) for face in FONT_FACES]
    assert len(sources) >= 4
    for source in sources:
        response = await client.get(source)
        assert response.status_code == 200, source
        assert response.headers["content-type"] == "font/woff2"
        assert response.content.startswith(b"wOF2")
    page = await client.get("/")
    policy = page.headers["content-security-policy"]
    assert "font-src 'self'" in policy
    assert "fonts.googleapis" not in page.text
