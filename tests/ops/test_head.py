"""HEAD wherever GET works (pages, API, probes, static files): GET's status and headers, no
body. Uptime monitors and link checkers send HEAD; a 405 made them report an outage."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona

pytestmark = pytest.mark.anyio

# Headers that differ between any two responses by nature.
PER_RESPONSE = {"date", "x-request-id", "set-cookie", "content-length"}


def _stable(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in PER_RESPONSE}


async def test_it_answers_head_like_get_on_pages_api_and_probes(
    client: AsyncClient, alice: Persona
) -> None:
    article = await alice.write(title="Heads up")
    paths = [
        "/",
        "/login",
        f"/article/{article['slug']}",
        "/api/articles",
        f"/api/articles/{article['slug']}",  # twice: the second read comes from the cache
        f"/api/articles/{article['slug']}",
        "/api/tags",
        "/api/openapi.json",
        "/api/docs",
        "/healthz",
        "/readyz",
        "/no/such/page",
    ]
    for path in paths:
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert _stable(dict(head.headers)) == _stable(dict(got.headers)), path
        if got.status_code == 200 and "set-cookie" not in got.headers:
            assert head.headers["content-length"] == str(len(got.content)), path


async def test_head_of_an_authenticated_read_checks_the_token(
    client: AsyncClient, alice: Persona
) -> None:
    assert (await client.head("/api/user", headers=alice.auth)).status_code == 200
    assert (await client.head("/api/user")).status_code == 401


async def test_head_stays_405_where_get_is_not_allowed(client: AsyncClient) -> None:
    response = await client.head("/api/users")  # POST only
    assert response.status_code == 405
    assert response.content == b""
    assert "POST" in response.headers["allow"]
    assert (await client.request("PATCH", "/api/tags")).status_code == 405


async def test_preflights_are_untouched(client: AsyncClient) -> None:
    response = await client.options(
        "/api/articles",
        headers={"Origin": "https://front.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_the_access_log_and_metrics_say_head(client: AsyncClient, log_lines: object) -> None:
    await client.head("/healthz")
    lines = log_lines()  # type: ignore[operator]
    requests = [line for line in lines if line.get("event") == "request"]
    assert requests[-1]["method"] == "HEAD"
    assert requests[-1]["route"] == "/healthz"
    assert requests[-1]["status"] == 200
