"""The driver path's connections (conduit.driver): a free list of asyncpg connections, bounded.

Why not asyncpg's ``Pool``: taking a connection from it and giving it back cost ~40 µs of CPU
here (measured 2026-11-27, uvloop, 20 000 cycles, best of 3; the same with its idle-connection
timer off), because every release runs in a task of its own (``asyncio.shield``) and passes
holders, a queue and timeouts. A statement on the driver path costs ~130 µs in all, so that was
a quarter of it. Taking a free connection off a list costs ~1 µs. The driver path needs little
of what ``Pool`` offers: each connection runs one autocommit statement at a time and is given
back with nothing to reset (no transaction, no session state).

The rules:
- a free connection is taken at once; else a new one is opened while fewer than ``size`` exist;
  else the caller waits, first come first served, at most ``timeout`` seconds (``TimeoutError``,
  which the driver answers with 503); opening one is bounded by ``timeout`` too;
- a connection is given back reusable only after a statement that completed or that PostgreSQL
  itself refused; after anything else (its socket dropped, the request cancelled mid-statement)
  its protocol state is unknown, and it is closed, which frees its place for a new one;
- a connection the server ended while it sat free is noticed when taken, dropped, and replaced;
- connections stay open while the process runs, as SQLAlchemy's own pool keeps its connections.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

import asyncpg


class PoolClosed(ConnectionError):
    """The pool was closed (the application is shutting down): unavailable, as a refused
    connection is."""


class ConnectionPool:
    def __init__(
        self, connect: Callable[[], Awaitable[asyncpg.Connection]], size: int, timeout: float
    ) -> None:
        self._connect = connect
        self.size = size
        self._timeout = timeout
        self._free: list[asyncpg.Connection] = []
        self._open = 0  # connections open or being opened, free or in use
        # Each waiter is handed a connection, or None: a free place to open one in.
        self._waiters: deque[asyncio.Future[asyncpg.Connection | None]] = deque()
        self._closed = False

    @property
    def in_use(self) -> int:
        return self._open - len(self._free)

    async def acquire(self) -> asyncpg.Connection:
        while True:
            if self._closed:
                raise PoolClosed("the connection pool is closed")
            if self._free:
                connection = self._free.pop()
            elif self._open < self.size:
                self._open += 1
                return await self._new()
            else:
                handed = await self._wait()
                if handed is None:
                    return await self._new()
                connection = handed
            if not connection.is_closed():
                return connection
            self._drop(connection)

    def release(self, connection: asyncpg.Connection, reusable: bool = True) -> None:
        """Gives ``connection`` back; ``reusable=False`` closes it (its state is unknown)."""
        if reusable and not self._closed and not connection.is_closed():
            self._hand_on(connection)
        else:
            self._drop(connection)

    async def close(self) -> None:
        """Closes the free connections, fails the waiters; one still in use closes when given
        back."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed("the connection pool is closed"))
        free, self._free = self._free, []
        self._open -= len(free)
        for connection in free:
            try:
                await asyncio.wait_for(connection.close(), self._timeout)
            except Exception:  # a connection whose server went away may not close cleanly
                connection.terminate()

    async def _new(self) -> asyncpg.Connection:
        """Opens a connection in a place already counted in ``_open``."""
        try:
            async with asyncio.timeout(self._timeout):
                return await self._connect()
        except BaseException:
            self._hand_on(None)
            raise

    async def _wait(self) -> asyncpg.Connection | None:
        waiter: asyncio.Future[asyncpg.Connection | None]
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self._timeout):
                return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # Handed something just as the wait ended: it goes to the next in line.
                self._hand_on(waiter.result())
            else:
                waiter.cancel()  # skipped by ``_hand_on``
            raise

    def _drop(self, connection: asyncpg.Connection) -> None:
        connection.terminate()
        self._hand_on(None)

    def _hand_on(self, connection: asyncpg.Connection | None) -> None:
        """A connection (or, None, the place of one that was closed) goes to the first waiter,
        else back to the free list (or, None, the place is given up)."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is None:
            self._open -= 1
        else:
            self._free.append(connection)
