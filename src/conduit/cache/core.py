"""The read cache one application instance (or command) owns, and the names of what its entries
depend on. It is also the unit of work's ``Invalidator``: writes announce what they changed here.

Where generations live (the one thing that must be shared for a cache to be right across
processes): Redis when ``CONDUIT_REDIS_URL`` is set; otherwise the database's
``cache_generations`` table, so that the CLI, a second server, and an operator's
``conduit cache clear`` are seen by the next request; only an in-memory SQLite database, which no
other process can write, keeps them in the process.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from conduit.cache import hooks
from conduit.cache.generations import Generations, LocalGenerations
from conduit.cache.shared import RedisGenerations, pipelining
from conduit.cache.store import LocalEntries
from conduit.cache.table import TableGenerations, sqlite_path
from conduit.settings import Settings


def generations_for(
    settings: Settings, redis: Redis | None, engine: AsyncEngine | None, entries: LocalEntries
) -> Generations:
    if redis is not None:
        return RedisGenerations(
            pipelining(redis),
            drop_entries=entries.clear,
            expiry=max(3600, int(settings.cache_ttl_seconds * 4)),
        )
    if engine is not None and (
        engine.dialect.name != "sqlite" or sqlite_path(engine.url) is not None
    ):
        return TableGenerations(engine)
    return LocalGenerations()


class Cache:
    def __init__(
        self, settings: Settings, redis: Redis | None, engine: AsyncEngine | None = None
    ) -> None:
        self.entries = LocalEntries(settings.cache_max_bytes, settings.cache_ttl_seconds)
        self.generations: Generations = generations_for(settings, redis, engine, self.entries)

    async def close(self) -> None:
        await self.generations.close()

    async def read(self, names: Sequence[str]) -> list[int] | None:
        return await self.generations.read(names)

    def get(self, kind: str, key: str, generations: Sequence[int] | None) -> Any:
        if generations is None:
            return None
        value = self.entries.get(key, generations)
        hooks.record(kind, value is not None)
        return value

    def put(self, key: str, generations: Sequence[int] | None, value: Any) -> None:
        if generations is not None:
            self.entries.put(key, generations, value)

    async def invalidate(self, *names: str) -> None:
        """Announces a change that is already committed (in its own transaction if the
        generations are in the database)."""
        await self.generations.bump(names)

    # The unit of work's Invalidator (conduit.uow): generations held in the database are bumped in
    # the writer's transaction, those held in Redis or the process after its commit.
    @property
    def in_database(self) -> bool:
        return self.generations.in_database

    async def in_transaction(self, session: AsyncSession, names: Sequence[str]) -> None:
        await self.generations.bump_in(session, names)

    async def after_commit(self, names: Sequence[str]) -> None:
        await self.generations.bump_after(names)


def build_cache(
    settings: Settings, redis: Redis | None, engine: AsyncEngine | None = None
) -> Cache | None:
    return Cache(settings, redis, engine) if settings.cache_enabled else None
