"""/metrics is not public: off unless ``CONDUIT_METRICS_NETWORKS`` lets the scraper's address
in, and then only that address or network (``*``: anyone). Others get the 404 of an unknown
path, so nothing tells them the endpoint exists."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import ValidationError

from conduit.settings import Settings

pytestmark = pytest.mark.anyio


async def _scrape(app: FastAPI, address: str) -> int:
    transport = ASGITransport(app=app, client=(address, 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        return (await http.get("/metrics")).status_code


async def test_it_hides_metrics_by_default(app: FastAPI) -> None:
    assert await _scrape(app, "127.0.0.1") == 404
    assert await _scrape(app, "10.0.0.5") == 404


@pytest.mark.settings(metrics_networks=["10.0.0.0/8", "192.0.2.7"])
async def test_it_serves_metrics_to_the_listed_networks_only(app: FastAPI) -> None:
    assert await _scrape(app, "10.20.30.40") == 200
    assert await _scrape(app, "192.0.2.7") == 200
    assert await _scrape(app, "192.0.2.8") == 404
    assert await _scrape(app, "127.0.0.1") == 404


@pytest.mark.settings(metrics_networks=["*"])
async def test_a_star_makes_metrics_public(app: FastAPI) -> None:
    assert await _scrape(app, "203.0.113.9") == 200


def test_a_malformed_network_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match=r"10\.0\.0\.0/33"):
        Settings(_env_file=None, metrics_networks="10.0.0.0/33")
