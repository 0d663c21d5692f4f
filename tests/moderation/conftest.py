"""Moderation tests run with the read cache in process, in Redis, and off: hidden content must
vanish from every read whichever holds the answers. Roles are granted in the database, like the
``conduit users promote`` command does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from tests.cache.conftest import flush_redis, redis_url
from tests.conftest import _empty_tables
from tests.factories import Persona
from tests.web.browser import Browser
from tests.web.conftest import BrowserFactory


@pytest.fixture(params=["memory", "redis", "off"])
def cache_mode(request: pytest.FixtureRequest) -> str:
    mode: str = request.param
    return mode


@pytest.fixture
async def app(settings: Settings, migrated: AsyncEngine, cache_mode: str) -> AsyncIterator[FastAPI]:
    await _empty_tables(migrated)
    chosen = settings.model_copy(update={"cache_enabled": cache_mode != "off"})
    if cache_mode == "redis":
        flush_redis()
        chosen = chosen.model_copy(update={"redis_url": redis_url()})
    application = create_app(chosen)
    async with application.router.lifespan_context(application):
        yield application


async def grant(db: AsyncEngine, username: str, role: str) -> None:
    async with db.begin() as conn:
        await conn.execute(
            text("UPDATE users SET role = :role WHERE username = :name"),
            {"role": role, "name": username},
        )


@pytest.fixture
async def mod(client: AsyncClient, db: AsyncEngine) -> Persona:
    person = await Persona.register(client, "mia")
    await grant(db, "mia", "moderator")
    return person


@pytest.fixture
async def admin(client: AsyncClient, db: AsyncEngine) -> Persona:
    person = await Persona.register(client, "ada")
    await grant(db, "ada", "admin")
    return person


async def act(person: Persona, method: str, path: str, **body: Any) -> Any:
    """A moderation call with a body (DELETE included), as the API takes every action's reason."""
    return await person.client.request(
        method, path, headers=person.auth, json=body or {"reason": "spam"}
    )


@pytest.fixture
async def browsers(app: FastAPI) -> AsyncIterator[BrowserFactory]:
    """Independent cookie-keeping browsers on the app (as in tests/web)."""
    opened: list[Browser] = []

    async def open_browser(origin: str = "http://testserver") -> Browser:
        browser = Browser.open(app, origin)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        await browser.close()
