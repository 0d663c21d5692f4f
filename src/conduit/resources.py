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

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work (one per request or command); the caller closes it."""
        return UnitOfWork(self.sessions(), self.invalidator)
