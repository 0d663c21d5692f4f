"""Sessions with Redis configured: a copy kept in step there; an unreachable Redis is harmless."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from conduit.web.sessions import REDIS_PREFIX, hashed
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


def _key(browser: Browser) -> str:
    return REDIS_PREFIX + hashed(browser.http.cookies["conduit_session"])


async def test_the_session_is_copied_to_redis_and_expires_with_idleness(
    redis_app: FastAPI,
) -> None:
    browser = Browser.open(redis_app)
    try:
        await browser.sign_up("alice")
        key = _key(browser)
        ttl = await _redis(redis_app).ttl(key)
        assert 0 < ttl <= 12 * 3600
        assert await browser.signed_in_as() == "alice"
        await browser.post("/logout")
        assert await _redis(redis_app).exists(key) == 0
    finally:
        await browser.close()


async def test_a_password_change_removes_the_other_copies(redis_app: FastAPI) -> None:
    laptop, phone = Browser.open(redis_app), Browser.open(redis_app)
    try:
        await laptop.sign_up("alice")
        await phone.sign_in("alice")
        phone_key = _key(phone)
        assert await _redis(redis_app).exists(phone_key) == 1
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
        assert await _redis(redis_app).exists(phone_key) == 0
        assert await phone.signed_in_as() is None
        assert await laptop.signed_in_as() == "alice"
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
