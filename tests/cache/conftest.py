"""Every cache test runs twice: generations in Redis, and in the database (no Redis configured;
the suite's database is a file or a server, so the ``cache_generations`` table holds them)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import redis
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from tests.conftest import _empty_tables
from tests.web.conftest import browser, browsers  # noqa: F401  (the web tests' fixtures, here too)


def redis_url() -> str:
    return os.environ.get("CONDUIT_TEST_REDIS_URL") or "redis://127.0.0.1:6379/5"


def flush_redis() -> None:
    """Empties the test Redis database; fails (never skips) when Redis is unreachable."""
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture(params=["redis", "database"])
def cache_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
async def app(
    settings: Settings, migrated: AsyncEngine, cache_backend: str
) -> AsyncIterator[FastAPI]:
    await _empty_tables(migrated)
    chosen = settings.model_copy(update={"cache_enabled": True})
    if cache_backend == "redis":
        flush_redis()
        chosen = chosen.model_copy(update={"redis_url": redis_url()})
    application = create_app(chosen)
    async with application.router.lifespan_context(application):
        assert application.state.resources.cache is not None
        yield application
