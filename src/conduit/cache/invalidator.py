"""The read cache's side of the unit of work (``conduit.uow.Invalidator``): once a write has
committed, the generations it touched are bumped, so every worker's older entries stop serving.
Owned by the application's lifespan (``Resources.invalidator``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache.core import Cache


class CacheInvalidator:
    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    async def in_transaction(self, session: AsyncSession, names: Sequence[str]) -> None:
        """Generations live in Redis or in the process, not in the database: nothing to do."""

    async def after_commit(self, names: Sequence[str]) -> None:
        await self.cache.invalidate(*names)
