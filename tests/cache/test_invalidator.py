"""The cache as the unit of work's ``Invalidator``: with generations in the database, a write's
bump commits with the write and only with it; with Redis, it follows the commit."""

from __future__ import annotations

import time

import pytest
import redis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from conduit.cache.core import Cache
from conduit.cache.table import TableGenerations
from conduit.generations import ARTICLES
from conduit.models import CacheGeneration, User
from conduit.settings import Settings
from conduit.uow import UnitOfWork
from tests.cache.conftest import flush_redis, redis_url
from tests.conftest import _empty_tables

pytestmark = pytest.mark.anyio


@pytest.fixture
async def engine(migrated: AsyncEngine) -> AsyncEngine:
    await _empty_tables(migrated)
    return migrated


async def _row(engine: AsyncEngine, name: str) -> int | None:
    async with engine.connect() as connection:
        found = await connection.execute(
            select(CacheGeneration.value).where(CacheGeneration.name == name)
        )
        return found.scalar_one_or_none()


async def test_a_committed_write_bumps_its_rows_in_the_same_transaction(
    settings: Settings, engine: AsyncEngine
) -> None:
    cache = Cache(settings, None, engine)
    assert isinstance(cache.generations, TableGenerations)
    before = await cache.read([ARTICLES])
    async with AsyncSession(engine) as session:
        uow = UnitOfWork(session, cache)
        uow.touch(ARTICLES)

        async def work() -> None:
            await session.execute(update(User).values(bio="x"))  # any statement of a write

        await uow.write(work)
    first = await _row(engine, ARTICLES)
    assert first is not None
    after = await cache.read([ARTICLES])
    assert after != before
    await cache.close()


async def test_a_rolled_back_write_bumps_nothing(settings: Settings, engine: AsyncEngine) -> None:
    cache = Cache(settings, None, engine)
    async with AsyncSession(engine) as session:
        uow = UnitOfWork(session, cache)
        uow.touch(ARTICLES)
        await cache.in_transaction(session, [ARTICLES])
        await uow.rollback()
    assert await _row(engine, ARTICLES) is None
    await cache.close()


async def test_each_bump_moves_the_value_up_and_never_below_the_clock(
    settings: Settings, engine: AsyncEngine
) -> None:
    cache = Cache(settings, None, engine)
    await cache.invalidate(ARTICLES)
    first = await _row(engine, ARTICLES)
    await cache.invalidate(ARTICLES)
    second = await _row(engine, ARTICLES)
    assert first is not None
    assert second is not None
    assert second > first
    assert second >= time.time_ns() - 60 * 10**9  # not a small counter: survives a restore
    await cache.close()


async def test_with_redis_the_bump_follows_the_commit(
    settings: Settings, engine: AsyncEngine
) -> None:
    flush_redis()
    from conduit.app import _redis

    chosen = settings.model_copy(update={"redis_url": redis_url()})
    client = _redis(chosen)
    assert client is not None
    cache = Cache(chosen, client, engine)
    await cache.read([ARTICLES])  # seeds the counter
    check = redis.Redis.from_url(redis_url())
    before = int(check.get(ARTICLES) or 0)
    async with AsyncSession(engine) as session:
        uow = UnitOfWork(session, cache)
        uow.touch(ARTICLES)

        async def work() -> None:
            await session.execute(update(User).values(bio="y"))

        await uow.write(work)
    assert int(check.get(ARTICLES) or 0) == before + 1
    assert await _row(engine, ARTICLES) is None  # nothing in the database table
    check.close()
    await cache.close()
    await client.aclose()
