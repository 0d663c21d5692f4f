"""The read cache one application instance owns: entries in this process, generations shared.

Generic infrastructure: it knows keys, generation names (plain strings, see
``conduit.generations``) and values, never what they mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from conduit.cache import hooks
from conduit.cache.store import (
    Generations,
    LocalEntries,
    LocalGenerations,
    Pipelining,
    RedisGenerations,
    pipelining,
)
from conduit.settings import Settings


class Cache:
    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.entries = LocalEntries(settings.cache_max_entries, settings.cache_ttl_seconds)
        self._client: Pipelining | None = pipelining(redis) if redis is not None else None
        self.generations: Generations = (
            RedisGenerations(
                self._client,
                on_failure=self.entries.clear,
                expiry=max(3600, int(settings.cache_ttl_seconds * 4)),
            )
            if self._client is not None
            else LocalGenerations()
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

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
        await self.generations.bump(names)


def build_cache(settings: Settings, redis: Redis | None) -> Cache | None:
    return Cache(settings, redis) if settings.cache_enabled else None
