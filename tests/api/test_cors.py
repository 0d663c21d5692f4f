"""CORS: preflights, headers on errors too, and configured origins."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from tests.assertions import refuse_server_errors
from tests.factories import Persona

pytestmark = pytest.mark.anyio

ORIGIN = "https://app.example"


def preflight(method: str = "POST", origin: str = ORIGIN) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/articles", "POST"),
        ("/api/articles/some-slug", "PUT"),
        ("/api/articles/some-slug", "DELETE"),
        ("/api/user", "GET"),
        ("/api/users/login", "POST"),
    ],
)
async def test_preflight_is_answered(client: AsyncClient, path: str, method: str) -> None:
    response = await client.options(path, headers=preflight(method))
    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert method in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed


async def test_simple_requests_carry_the_origin_header(client: AsyncClient) -> None:
    response = await client.get("/api/tags", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/user", 401),
        ("GET", "/api/articles/nope", 404),
        ("GET", "/api/nowhere", 404),
        ("POST", "/api/users", 422),
        ("GET", "/api/articles?limit=0", 422),
    ],
)
async def test_error_responses_carry_cors_headers(
    client: AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, headers={"Origin": ORIGIN}, json={})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_forbidden_responses_carry_cors_headers(
    client: AsyncClient, alice: Persona, bob: Persona
) -> None:
    slug = (await alice.write())["slug"]
    response = await client.delete(f"/api/articles/{slug}", headers={**bob.auth, "Origin": ORIGIN})
    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture
async def strict_client(settings: Settings, migrated: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """An app that trusts one origin only."""
    application = create_app(settings.model_copy(update={"cors_origins": [ORIGIN]}))
    async with application.router.lifespan_context(application):
        transport = ASGITransport(app=application, raise_app_exceptions=False)
        async with AsyncClient(
            transport=transport,
            base_url="http://testserver",
            event_hooks={"response": [refuse_server_errors]},
        ) as http:
            yield http


async def test_a_configured_origin_is_reflected(strict_client: AsyncClient) -> None:
    response = await strict_client.options("/api/articles", headers=preflight())
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    simple = await strict_client.get("/api/tags", headers={"Origin": ORIGIN})
    assert simple.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in simple.headers.get("Vary", "")
    error = await strict_client.get("/api/user", headers={"Origin": ORIGIN})
    assert error.status_code == 401
    assert error.headers["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://app.example.evil", "http://app.example"]
)
async def test_other_origins_are_not_allowed(strict_client: AsyncClient, origin: str) -> None:
    response = await strict_client.options("/api/articles", headers=preflight(origin=origin))
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers
    simple = await strict_client.get("/api/tags", headers={"Origin": origin})
    assert simple.status_code == 200
    assert "Access-Control-Allow-Origin" not in simple.headers


def test_origins_come_from_a_comma_separated_setting() -> None:
    settings = Settings(
        _env_file=None,
        cors_origins=" https://a.example , https://b.example,",
    )
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/articles/feed", "GET"),
        ("/api/articles", "GET, POST"),
        ("/api/tags", "GET"),
        ("/api/user", "GET, PUT"),
        ("/login", "GET, POST"),
    ],
)
async def test_a_plain_options_request_names_what_the_path_serves(
    client: AsyncClient, path: str, allowed: str
) -> None:
    response = await client.options(path)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["Allow"].startswith(allowed)
    assert response.headers["Allow"].endswith("OPTIONS")


async def test_options_on_an_unknown_path_is_a_404(client: AsyncClient) -> None:
    assert (await client.options("/api/nothing-here")).status_code == 404
