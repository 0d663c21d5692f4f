"""The long-lived resources one application instance owns (created and closed by its lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from conduit.cache.core import Cache
from conduit.driver import Driver
from conduit.errors import Unavailable
from conduit.security import PasswordHasher, Tokens
from conduit.settings import Settings
from conduit.uow import Invalidator, UnitOfWork
from conduit.users.accounts import Account, AccountReader, load_account

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
    # Accounts on a dedicated driver-level connection (PostgreSQL, MariaDB); None on SQLite.
    accounts: AccountReader | None = None
    # The driver path of the read sessions' reusable statements (conduit.driver); PostgreSQL only.
    driver: Driver | None = None
    # Autocommit sessions for requests that only read (db.create_read_sessionmaker); None: the
    # database keeps every request in a transaction.
    reads: async_sessionmaker[AsyncSession] | None = None

    def unit_of_work(self, reading: bool = False) -> UnitOfWork:
        """A fresh unit of work (one per request or command); the caller closes it. ``reading``:
        the request is expected to read only (a GET), so it starts on an autocommit session
        where the database makes that cheaper; its first ``write`` moves to a transaction."""
        if reading and self.reads is not None:
            return UnitOfWork(
                self.reads(), self.invalidator, transactional=self.sessions, direct=self.driver
            )
        return UnitOfWork(self.sessions(), self.invalidator, direct=self.driver)

    async def account(self, user_id: int, session: AsyncSession | None = None) -> Account | None:
        """The account a credential names, read from the database now (never a cached copy):
        through the shared driver-level reader where there is one, else on the request's
        ``session``, else on a connection of its own."""
        if self.accounts is not None:
            try:
                return await self.accounts.load(user_id)
            except Unavailable:
                # A failed or slow shared round (its connection dropped, 1 s passed): a request
                # with a session of its own asks on it, so only a database that is really away
                # answers 503 (a CI run saw one such round fail under load).
                if session is None:
                    raise
        if session is not None:
            return await load_account(session, user_id)
        async with (self.lookups or self.engine).connect() as connection:
            return await load_account(connection, user_id)
