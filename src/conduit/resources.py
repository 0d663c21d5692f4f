"""The long-lived resources one application instance owns (created and closed by its lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from conduit.cache.core import Cache
from conduit.security import PasswordHasher, Tokens
from conduit.settings import Settings
from conduit.uow import Invalidator, UnitOfWork

if TYPE_CHECKING:  # conduit.ratelimit imports conduit.errors, which reaches back here
    from conduit.ratelimit import RateLimiter


@dataclass(slots=True)
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hasher: PasswordHasher
    tokens: Tokens
    limiter: RateLimiter
    # None when CONDUIT_REDIS_URL is unset: every feature then falls back to in-process state.
    redis: Redis | None = None
    # None when CONDUIT_CACHE_ENABLED=false: every read goes to the database.
    cache: Cache | None = None
    # Told what each committed write touched (the cache's generations); None: nothing to tell.
    invalidator: Invalidator | None = None
    # Single-statement reads outside a transaction (db.create_engine(lookups=True)); None: engine.
    lookups: AsyncEngine | None = None
    # Autocommit sessions for requests that only read (db.create_read_sessionmaker); None: the
    # database keeps every request in a transaction.
    reads: async_sessionmaker[AsyncSession] | None = None

    def unit_of_work(self, reading: bool = False) -> UnitOfWork:
        """A fresh unit of work (one per request or command); the caller closes it. ``reading``:
        the request is expected to read only (a GET), so it starts on an autocommit session
        where the database makes that cheaper; its first ``write`` moves to a transaction."""
        if reading and self.reads is not None:
            return UnitOfWork(self.reads(), self.invalidator, transactional=self.sessions)
        return UnitOfWork(self.sessions(), self.invalidator)
