"""Host checking, proxy headers, HSTS and a full connection pool: what sits at the edge."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import orjson
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from conduit.app import create_app
from conduit.observability.logs import configure_logging
from conduit.settings import Settings

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("migrated")]


async def _serve(settings: Settings) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("conduit.example.com", 200),
        ("conduit.example.com:8443", 200),
        ("api.example.org", 200),
        ("example.org", 200),
        ("testserver", 400),
        ("evil.example.com", 400),
        ("example.org.evil.net", 400),
    ],
)
async def test_only_allowed_hosts_are_served(settings: Settings, host: str, status: int) -> None:
    allowed = settings.model_copy(
        update={"allowed_hosts": ["conduit.example.com", "*.example.org"]}
    )
    async for _app, client in _serve(allowed):
        response = await client.get("/api/tags", headers={"Host": host})
        assert response.status_code == status
        if status == 400:
            assert response.json() == {"errors": {"host": ["is not allowed"]}}


async def test_probes_answer_whatever_the_host(settings: Settings) -> None:
    allowed = settings.model_copy(update={"allowed_hosts": ["conduit.example.com"]})
    async for _app, client in _serve(allowed):
        assert (await client.get("/healthz", headers={"Host": "10.0.0.7:8000"})).status_code == 200
        assert (await client.get("/readyz", headers={"Host": "10.0.0.7:8000"})).status_code == 200


async def _client_address(settings: Settings, forwarded_for: str) -> object:
    async for _app, client in _serve(settings):
        buffer = io.StringIO()
        configure_logging(settings.model_copy(update={"log_format": "json"}), buffer)
        await client.get("/api/tags", headers={"X-Forwarded-For": forwarded_for})
        configure_logging(settings)
        line = next(
            line
            for line in map(orjson.loads, buffer.getvalue().splitlines())
            if line["event"] == "request"
        )
        return line["client"]
    raise AssertionError("unreachable")


async def test_forwarded_addresses_are_believed_from_trusted_proxies(settings: Settings) -> None:
    # The test transport connects from 127.0.0.1, standing in for the proxy.
    trusted = settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    assert await _client_address(trusted, "203.0.113.9") == "203.0.113.9"


async def test_forwarded_addresses_are_ignored_from_anyone_else(settings: Settings) -> None:
    other = settings.model_copy(update={"trusted_proxies": ["10.1.2.3"]})
    assert await _client_address(other, "203.0.113.9") == "127.0.0.1"
    assert await _client_address(settings, "203.0.113.9") == "127.0.0.1"


async def test_hsts_is_sent_only_when_https_is_on(settings: Settings, client: AsyncClient) -> None:
    assert "strict-transport-security" not in (await client.get("/api/tags")).headers
    async for _app, secure in _serve(settings.model_copy(update={"https": True})):
        header = (await secure.get("/api/tags")).headers["strict-transport-security"]
        assert header == "max-age=31536000; includeSubDomains"


async def test_web_pages_get_one_hsts_header_not_two(settings: Settings) -> None:
    both = settings.model_copy(update={"https": True, "web_origin": "https://conduit.example"})
    async for _app, client in _serve(both):
        response = await client.get("/")
        assert response.status_code == 200
        assert len(response.headers.get_list("strict-transport-security")) == 1


async def test_an_exhausted_pool_answers_503_instead_of_hanging(settings: Settings) -> None:
    # SQLAlchemy's pool serves every statement here (the driver path has a pool of its own,
    # exhausted in the next test).
    tiny = settings.model_copy(
        update={
            "db_pool_size": 1,
            "db_max_overflow": 0,
            "db_pool_timeout": 0.2,
            "db_driver_reads": False,
        }
    )
    async for app, client in _serve(tiny):
        engine = app.state.resources.engine
        async with engine.connect():  # holds the only connection
            response = await client.get("/api/articles")
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            assert response.json() == {
                "errors": {"database": ["is unavailable, try again shortly"]}
            }
        assert (await client.get("/api/articles")).status_code == 200


async def test_an_exhausted_driver_pool_answers_503_instead_of_hanging(settings: Settings) -> None:
    tiny = settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout": 0.2})
    async for app, client in _serve(tiny):
        driver = app.state.resources.driver
        if driver is None:
            pytest.skip("PostgreSQL only: SQLite and MariaDB have no driver path")
        pool = driver._ready()
        held = [await pool.acquire() for _ in range(pool.size)]
        try:
            response = await client.get("/api/articles")
            assert response.status_code == 503
            assert response.headers["retry-after"] == "1"
            assert response.json() == {
                "errors": {"database": ["is unavailable, try again shortly"]}
            }
        finally:
            for connection in held:
                pool.release(connection)
        assert (await client.get("/api/articles")).status_code == 200


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/login/", "/login"),
        ("/api/tags/?x=1", "/api/tags?x=1"),
        ("/api/articles/some-slug/", "/api/articles/some-slug"),
        ("/profile/a%0d%0aSet-Cookie:x=1/", "/profile/a%0D%0ASet-Cookie:x=1"),
    ],
)
async def test_trailing_slash_redirects_stay_on_the_requested_origin(
    client: AsyncClient, path: str, location: str
) -> None:
    # CONDUIT_ALLOWED_HOSTS is empty (the default): any Host header reaches the app.
    response = await client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 307
    assert response.headers["location"] == location


@pytest.mark.parametrize("path", ["//evil.example/", "/static/nothing.css/", "/nothing-here/"])
async def test_no_redirect_leaves_the_site_or_invents_a_path(
    client: AsyncClient, path: str
) -> None:
    # A full URL: httpx would read "//evil.example/" alone as another host.
    response = await client.get(f"http://testserver{path}", headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
