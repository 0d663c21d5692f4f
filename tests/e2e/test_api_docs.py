"""Swagger UI and ReDoc render in real Chromium with no way out to the internet: every request
for another host is aborted, as on a machine without internet or behind a blocking proxy, and
the pages' Content-Security-Policy is enforced by the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.e2e.helpers import shoot

pytestmark = pytest.mark.e2e

# ReDoc always asks Redocly's CDN for its "API docs by Redocly" logo; the policy blocks it and
# ReDoc then leaves the image out. That is the only message either page may log.
REDOC_LOGO = "cdn.redoc.ly"


@pytest.mark.parametrize(
    ("path", "name"), [("/api/docs", "api-docs-swagger"), ("/api/redoc", "api-docs-redoc")]
)
def test_the_api_docs_render_offline_under_their_policy(
    browser: Browser, base_url: str, screenshots: Path, path: str, name: str
) -> None:
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(30_000)
    outside: list[str] = []

    def offline(route: object) -> None:
        outside.append(route.request.url)  # type: ignore[attr-defined]
        route.abort()  # type: ignore[attr-defined]

    context.route(lambda url: not url.startswith(base_url), offline)
    page = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and REDOC_LOGO not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path)
    if path == "/api/docs":
        expect(page.locator(".opblock").first).to_be_visible(timeout=60_000)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Conduit API")
        assert page.locator(".opblock").count() >= 19
    else:
        expect(page.locator("h1").first).to_contain_text("Conduit API", timeout=60_000)
        expect(page.get_by_role("menuitem", name="Articles").first).to_be_visible()
    shoot(page, screenshots, name)
    context.close()
    assert problems == []
    assert [url for url in outside if REDOC_LOGO not in url] == []
