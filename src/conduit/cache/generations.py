"""Generations: counters that say whether a cached entry is still what the database holds.

Three homes, one interface: this process (``LocalGenerations``, for an in-memory database that no
other process can write), Redis (``shared.RedisGenerations``) and the database itself
(``table.TableGenerations``). Every entry also depends on the global generation ``cg:all``, which
``conduit cache clear`` and ``conduit seed`` bump: each backend reads it alongside the names asked
for and folds it into every value it returns, so callers never see it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

ALL = "cg:all"  # every entry depends on it

# Generations start at the wall clock in nanoseconds (about 1.7e18), never at 0, and a bump never
# sets less than the clock: when the store loses or rolls back its values (Redis restarted, a
# database restored from a backup) a later value cannot land on one an old entry holds.
FLOOR = 1 << 40


def fresh_generation() -> int:
    return time.time_ns()


def fold(everything: int, value: int) -> int:
    """One value from the global generation and a name's own (both below 2**64): exact, so a
    change of either changes the result."""
    return (everything << 64) | value


class Generations(Protocol):
    # Held in the database: ``bump_in`` writes in the writer's transaction.
    in_database: bool

    async def read(self, names: Sequence[str]) -> list[int] | None:
        """Current generations, or None when they cannot be trusted right now (do not cache)."""

    async def bump_in(self, session: AsyncSession, names: Sequence[str]) -> None:
        """Bumps within the writer's own transaction, just before it commits (database-held)."""

    async def bump_after(self, names: Sequence[str]) -> None:
        """Bumps once the writer committed (generations outside the database)."""

    async def bump(self, names: Sequence[str]) -> None:
        """Bumps on its own: after a commit made elsewhere, ``conduit cache clear``."""

    async def close(self) -> None: ...


class LocalGenerations:
    """Counters of a single process: right only when no other process can write the data."""

    in_database = False

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._start = fresh_generation()

    async def read(self, names: Sequence[str]) -> list[int] | None:
        get, start = self._values.get, self._start
        everything = get(ALL, start)
        return [fold(everything, get(name, start)) for name in names]

    async def bump_in(self, session: AsyncSession, names: Sequence[str]) -> None:
        return None

    async def bump_after(self, names: Sequence[str]) -> None:
        await self.bump(names)

    async def bump(self, names: Sequence[str]) -> None:
        for name in names:
            self._values[name] = self._values.get(name, self._start) + 1
        if len(self._values) > 100_000:
            # Bounded: forgetting every counter at once is a global bump (all entries miss).
            self._values.clear()
            self._start = fresh_generation()

    async def close(self) -> None:
        return None
