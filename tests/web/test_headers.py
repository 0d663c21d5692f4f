"""Security headers on every page, and framing refused."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


def _policy(header: str) -> dict[str, str]:
    policy: dict[str, str] = {}
    for directive in header.split(";"):
        name, _, value = directive.strip().partition(" ")
        policy[name] = value
    return policy


async def test_every_page_forbids_framing_and_inline_scripts(
    alice: Persona, browser: Browser
) -> None:
    article = await alice.write()
    paths = ["/", "/login", "/register", f"/article/{article['slug']}", "/profile/alice",
             "/article/missing", "/no/such/page"]  # fmt: skip
    for path in paths:
        response = await browser.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        policy = _policy(response.headers["content-security-policy"])
        assert policy["frame-ancestors"] == "'none'"
        assert policy["script-src"] == "'self'"
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert policy["object-src"] == "'none'"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers


async def test_signed_in_pages_and_redirects_carry_them_too(browser: Browser) -> None:
    redirect = await browser.sign_up("alice")
    assert redirect.headers["x-frame-options"] == "DENY"
    for path in ("/settings", "/editor"):
        response = await browser.get(path)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"


async def test_hsts_is_sent_over_https_only(client: AsyncClient) -> None:
    secure = await client.get("https://testserver/")
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    plain = await client.get("http://testserver/")
    assert "strict-transport-security" not in plain.headers


async def test_static_files_are_served_with_nosniff(client: AsyncClient) -> None:
    for path, kind in (("/static/conduit.css", "text/css"), ("/static/conduit.js", "javascript"),
                       ("/static/default-avatar.svg", "image/svg+xml")):  # fmt: skip
        response = await client.get(path)
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_api_keeps_its_json_errors(client: AsyncClient) -> None:
    missing = await client.get("/api/no-such-endpoint")
    assert missing.status_code == 404
    assert missing.json() == {"errors": {"path": ["not found"]}}
    assert (await client.get("/api/articles/missing")).json() == {
        "errors": {"article": ["not found"]}
    }
    assert (await client.post("/api/tags")).status_code == 405
