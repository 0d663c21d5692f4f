"""The read cache's side of the unit of work (``conduit.uow.Invalidator``): generations held in
the database are bumped in the writer's transaction, those held in Redis or in the process once
it has committed, so every worker's older entries stop serving.
Owned by the application's lifespan (``Resources.invalidator``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache.core import Cache


class CacheInvalidator:
    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    @property
    def in_database(self) -> bool:
        return self.cache.in_database

    async def in_transaction(self, session: AsyncSession, names: Sequence[str]) -> None:
        await self.cache.in_transaction(session, names)

    async def after_commit(self, names: Sequence[str]) -> None:
        await self.cache.after_commit(names)
