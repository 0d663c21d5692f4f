from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

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


async def test_not_ready_while_redis_is_down(settings: Settings) -> None:
    async for client in _client_for(
        settings.model_copy(update={"redis_url": NOTHING_LISTENS_REDIS})
    ):
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"] == {
            "database": "ok",
            "redis": "unavailable",
            "process": "ok",
        }


@pytest.mark.server_errors
async def test_not_ready_once_shutting_down(app: FastAPI, client: AsyncClient) -> None:
    app.state.lifecycle.draining = True
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["process"] == "draining"
