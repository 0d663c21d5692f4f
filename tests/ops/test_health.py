from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY

from conduit.app import create_app
from conduit.settings import Settings
from tests.ports import unused_port

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("migrated")]

NOTHING_LISTENS_PG = "postgresql+asyncpg://conduit:x@127.0.0.1:8319/conduit"
NOTHING_LISTENS_REDIS = f"redis://127.0.0.1:{unused_port()}/0"
LIVE_REDIS = os.environ.get("CONDUIT_TEST_REDIS_URL") or "redis://127.0.0.1:6379/3"


async def _client_for(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app, raise_app_exceptions=False)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def _up(dependency: str) -> float | None:
    # Read from the registry: how /metrics is exposed is a separate concern.
    return REGISTRY.get_sample_value("conduit_dependency_up", {"dependency": dependency})


async def test_liveness_answers_without_touching_anything(client: AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_when_the_database_answers(client: AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "process": "ok"}


async def test_not_ready_while_the_database_is_down(settings: Settings) -> None:
    down = settings.model_copy(update={"database_url": NOTHING_LISTENS_PG})
    async for client in _client_for(down):
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "unavailable"
        # Liveness stays green: restarting would not bring the database back.
        assert (await client.get("/healthz")).status_code == 200


async def test_ready_with_redis_when_it_answers(settings: Settings) -> None:
    async for client in _client_for(settings.model_copy(update={"redis_url": LIVE_REDIS})):
        response = await client.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"]["redis"] == "ok"


async def test_a_redis_outage_degrades_readiness_without_taking_the_replica_out(
    settings: Settings,
) -> None:
    # Redis is optional: every feature falls back without it, so the replica keeps serving.
    async for client in _client_for(
        settings.model_copy(update={"redis_url": NOTHING_LISTENS_REDIS})
    ):
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "degraded",
            "checks": {"database": "ok", "redis": "degraded", "process": "ok"},
        }
        assert (await client.get("/api/tags")).status_code == 200
        assert _up("redis") == 0
        assert _up("database") == 1


async def test_the_database_down_takes_the_replica_out_even_with_redis_up(
    settings: Settings,
) -> None:
    down = settings.model_copy(update={"database_url": NOTHING_LISTENS_PG, "redis_url": LIVE_REDIS})
    async for client in _client_for(down):
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "checks": {"database": "unavailable", "redis": "ok", "process": "ok"},
        }
        assert _up("database") == 0
        assert _up("redis") == 1


@pytest.mark.server_errors
async def test_not_ready_once_shutting_down(app: FastAPI, client: AsyncClient) -> None:
    app.state.lifecycle.draining = True
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["process"] == "draining"
