"""Sessions with Redis configured: the database alone holds them (no copy in Redis that could
outlive a logout); an unreachable Redis is harmless."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from tests.conftest import _empty_tables
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio

UNREACHABLE = "redis://127.0.0.1:1/0"


async def _app_with_redis(
    settings: Settings, migrated: AsyncEngine, url: str
) -> AsyncIterator[FastAPI]:
    await _empty_tables(migrated)
    application = create_app(settings.model_copy(update={"redis_url": url}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def redis_url() -> str:
    url = os.environ.get("CONDUIT_TEST_REDIS_URL", "").strip()
    if not url:
        pytest.skip("CONDUIT_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
async def redis_app(
    settings: Settings, migrated: AsyncEngine, redis_url: str
) -> AsyncIterator[FastAPI]:
    async for application in _app_with_redis(settings, migrated, redis_url):
        yield application


def _redis(app: FastAPI) -> Redis:
    redis: Redis | None = app.state.resources.redis
    assert redis is not None
    return redis


async def test_it_keeps_no_session_in_redis(redis_app: FastAPI) -> None:
    # The decision of issue 11: a copy in Redis outlived logouts made while Redis was down.
    redis = _redis(redis_app)
    await redis.flushdb()
    laptop, phone = Browser.open(redis_app), Browser.open(redis_app)
    try:
        await laptop.sign_up("alice")
        await phone.sign_in("alice")
        assert await laptop.signed_in_as() == "alice"
        assert await redis.keys("conduit:web-session*") == []
        response = await laptop.post(
            "/settings",
            {
                "username": "alice",
                "email": "alice@example.com",
                "password": "another long password",
                "current_password": "correct horse battery",
            },
        )
        assert response.status_code == 303
        assert await phone.signed_in_as() is None
        assert await laptop.signed_in_as() == "alice"
        await laptop.post("/logout")
        assert await laptop.signed_in_as() is None
    finally:
        await laptop.close()
        await phone.close()


async def test_an_unreachable_redis_falls_back_to_the_database(
    settings: Settings, migrated: AsyncEngine
) -> None:
    async for application in _app_with_redis(settings, migrated, UNREACHABLE):
        browser = Browser.open(application)
        try:
            await browser.sign_up("alice")
            assert await browser.signed_in_as() == "alice"
            assert (await browser.post("/logout")).status_code == 303
            assert await browser.signed_in_as() is None
        finally:
            await browser.close()
