"""Rows by key, read in shared rounds on one dedicated connection at the driver level.

For the small primary-key reads that run on (nearly) every request — the account behind a token,
the cache's generations without Redis — SQLAlchemy's pool checkout and execution path cost more
than the statement: measured on PostgreSQL, an account lookup costs ~250 µs of CPU through an
``AsyncEngine`` connection, ~150 µs on the driver through the same pool, ~57 µs on a dedicated
asyncpg connection with a prepared statement (docs/performance.md).

So one autocommit connection per process, at the driver level (asyncpg, aiomysql), and rounds:
the callers that ask while a round is in flight share the next round, which starts after they
asked. Each caller therefore sees a statement that began after its own request (as fresh as a
statement of its own), while a busy process pays one statement per batch, not per caller.

A failed or slow round (``timeout``) fails every caller of that round and drops the connection;
the next round opens a new one. SQLite is not served here (its callers keep their own path).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

log = logging.getLogger("conduit.db")

Row = tuple[Any, ...]


class KeyedReads:
    """``SELECT columns FROM table WHERE columns[0] IN keys`` in shared rounds (module docstring).

    ``key_type`` is the key's PostgreSQL type (``bigint``, ``text``): the keys go as one array."""

    def __init__(
        self, url: URL, table: str, columns: Sequence[str], key_type: str, timeout: float
    ) -> None:
        self.dialect = url.get_backend_name()
        if self.dialect not in ("postgresql", "mysql", "mariadb"):
            raise ValueError(f"no driver-level reads on {self.dialect}")
        # The names are the caller's constants (never input): composed once, here.
        listed = ", ".join(columns)
        head = f"SELECT {listed} FROM {table} WHERE {columns[0]}"  # noqa: S608
        self._postgres = f"{head} = ANY($1::{key_type}[])"
        self._mysql = f"{head} IN "
        self._timeout = timeout
        self._engine = create_async_engine(
            url, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT"
        )
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._statement: Any = None
        self._wanted: set[Hashable] = set()
        self._waiters: list[asyncio.Future[dict[Hashable, Row]]] = []
        self._round: asyncio.Task[None] | None = None

    @property
    def statement(self) -> str:
        """What a round sends (MariaDB: followed by one placeholder per key)."""
        return self._postgres if self.dialect == "postgresql" else self._mysql + "(%s, ...)"

    async def read(self, keys: Iterable[Hashable]) -> dict[Hashable, Row]:
        """The rows of ``keys`` (a missing key has no row), from a round that started after this
        call; raises what the round raised."""
        waiter: asyncio.Future[dict[Hashable, Row]] = asyncio.get_running_loop().create_future()
        self._wanted.update(keys)
        self._waiters.append(waiter)
        if self._round is None:
            self._round = asyncio.create_task(self._rounds())
        return await waiter

    async def _rounds(self) -> None:
        try:
            while self._waiters:
                wanted, waiters = self._wanted, self._waiters
                self._wanted, self._waiters = set(), []
                try:
                    async with asyncio.timeout(self._timeout):
                        rows = await self._query(list(wanted))
                except Exception as exc:  # handed to every waiter of this round
                    await self._reset()
                    for waiter in waiters:
                        if not waiter.done():
                            waiter.set_exception(exc)
                            # Retrieved here too: a waiter cancelled meanwhile must not leave
                            # "exception was never retrieved" in the log.
                            waiter.exception()
                    continue
                found = {row[0]: row for row in rows}
                for waiter in waiters:
                    if not waiter.done():  # a cancelled request no longer waits
                        waiter.set_result(found)
        finally:
            self._round = None

    async def _query(self, keys: list[Hashable]) -> list[Row]:
        if self._driver is None:
            self._connection = await self._engine.connect()
            raw = await self._connection.get_raw_connection()
            self._driver = raw.driver_connection
            if self.dialect == "postgresql":
                self._statement = await self._driver.prepare(self._postgres)
        if self.dialect == "postgresql":
            return [tuple(row) for row in await self._statement.fetch(keys)]
        marks = ",".join(["%s"] * len(keys))
        async with self._driver.cursor() as cursor:
            await cursor.execute(f"{self._mysql}({marks})", keys)
            return [tuple(row) for row in await cursor.fetchall()]

    async def _reset(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception:  # a broken connection may fail to close too
                log.debug("dropping a driver-level connection failed", exc_info=True)

    async def close(self) -> None:
        if self._round is not None:
            await asyncio.gather(self._round, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
            self._connection = self._driver = None
        await self._engine.dispose()
