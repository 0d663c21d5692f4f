"""The unit of work: one transaction per request or command, committed or rolled back here and
nowhere else, with one retry policy for every write, and cache invalidation after the commit.

Services receive a ``UnitOfWork``, run their statements on ``uow.session``, ``flush`` when they
need database-generated values, and declare what they changed with ``uow.touch(...)``. A write is
run through ``uow.write(work)``: the work is retried from scratch (after a rollback) on a
transient failure (deadlock, serialization failure, busy SQLite) or on a ``Retry`` it raises (a
slug collision), then committed; only after the commit does the invalidator learn which
generations to bump, so a reader can never cache what a rolled-back write showed it. A write that
is one statement goes through ``uow.write_statement``: on the driver path it runs by itself in
autocommit (one round trip, no BEGIN or COMMIT), with the same retries and announcements.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

T = TypeVar("T")

log = logging.getLogger("conduit.uow")

ATTEMPTS = 5


class Retry(Exception):
    """Raised by a write's work to run it again from a clean transaction (e.g. a slug taken)."""


class Invalidator(Protocol):
    """Where committed changes are announced (the read cache's generations)."""

    @property
    def in_database(self) -> bool:
        """Whether ``in_transaction`` writes to the database (generations held there): then
        every write needs a transaction of its own to bump them in."""

    async def in_transaction(self, session: AsyncSession, names: Sequence[str]) -> None:
        """Called just before the commit, on the same transaction (database-held generations)."""

    async def after_commit(self, names: Sequence[str]) -> None:
        """Called once the commit succeeded (generations held in Redis or in the process)."""


class Direct(Protocol):
    """Runs one statement by itself, outside any transaction (the driver path, conduit.driver)."""

    def takes(self, statement: Executable) -> bool: ...

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None
    ) -> Sequence[Any]: ...


def is_transient(exc: DBAPIError) -> bool:
    """Deadlocks, lock timeouts, serialization failures and a busy SQLite: safe to run again."""
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1205, 1213):  # MySQL: lock wait timeout, deadlock
        return True
    return "database is locked" in str(orig) or "deadlock" in str(orig).lower()


class UnitOfWork:
    def __init__(
        self,
        session: AsyncSession,
        invalidator: Invalidator | None = None,
        transactional: Callable[[], AsyncSession] | None = None,
        direct: Direct | None = None,
    ) -> None:
        """``transactional``: ``session`` is an autocommit session for reads, and this makes
        the transactional session the first ``write`` (or ``commit``) moves to. ``direct``:
        where a write that is one statement may run by itself (``write_statement``)."""
        self.session = session
        self._direct = direct
        self.attempt = 0  # which run of the current write this is (0 first)
        self._invalidator = invalidator
        self._touched: set[str] = set()
        self._transactional = transactional

    async def _leave_autocommit(self) -> None:
        """Before any write: a write must be atomic and announced with its commit, which an
        autocommit session cannot do. Callers reach the session through ``uow.session``."""
        if self._transactional is None:
            return
        reader, self.session = self.session, self._transactional()
        self._transactional = None
        await reader.close()

    def touch(self, *names: str) -> None:
        """Declares generations this unit of work changed; bumped after its commit."""
        self._touched.update(names)

    async def write(self, work: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
        """Runs ``work`` and commits, retrying from scratch on transient failures. Any other
        failure rolls back (nothing it did stays, nothing it touched is announced) and is raised."""
        await self._leave_autocommit()
        for attempt in range(attempts):
            self.attempt = attempt
            try:
                # The transaction starts with the work (on the first statement), so its reads
                # stay on this session, never on the driver path of reads (``db.rows``).
                await self.session.connection()
                result = await work()
                touched = await self._commit()
            except (DBAPIError, Retry) as exc:
                await self._abandon()
                await _again(exc, attempt, attempts)
                continue
            except BaseException:
                await self._abandon()
                raise
            # Outside the retried block: an announcement can never run the work a second time.
            await self._announce(touched)
            return result
        raise AssertionError("unreachable")

    async def write_statement(
        self,
        statement: Executable,
        params: Mapping[str, Any],
        touched: Sequence[str],
        changed: Callable[[Sequence[Any]], bool] = bool,
        attempts: int = ATTEMPTS,
    ) -> Sequence[Any]:
        """A write that is one statement (atomic by itself): its rows (RETURNING, or a SELECT's
        over data-modifying CTEs). ``touched``: the generations it changes, announced once it has
        committed if ``changed`` says the rows show a change (by default: any row; none, e.g. a
        comment on an unknown article, changed nothing and announces nothing).

        It runs by itself in autocommit, one round trip, where there is a driver path that takes
        it, no transaction is open yet (nothing earlier to commit with it) and no generation is
        bumped in the database (that needs the write's transaction). Otherwise it is an
        ordinary ``write`` on the session."""
        direct = self._direct
        if (
            direct is None
            or not direct.takes(statement)
            or self.session.in_transaction()
            or (self._invalidator is not None and self._invalidator.in_database)
        ):

            async def work() -> Sequence[Any]:
                connection = await self.session.connection()
                found = (await connection.execute(statement, params)).all()
                if changed(found):
                    self.touch(*touched)
                return found

            return await self.write(work, attempts)
        for attempt in range(attempts):
            self.attempt = attempt
            try:
                found = await direct.rows(statement, params)
            except DBAPIError as exc:
                await _again(exc, attempt, attempts)
                continue
            if changed(found):
                await self._announce(sorted(set(touched)))
            return found
        raise AssertionError("unreachable")

    async def commit(self) -> None:
        await self._announce(await self._commit())

    async def _commit(self) -> list[str]:
        touched = sorted(self._touched)
        if touched and self._invalidator is not None:
            await self._invalidator.in_transaction(self.session, touched)
        await self.session.commit()
        self._touched.clear()
        return touched

    async def _announce(self, touched: list[str]) -> None:
        if touched and self._invalidator is not None:
            await self._invalidator.after_commit(touched)

    async def rollback(self) -> None:
        self._touched.clear()
        await self.session.rollback()

    async def _abandon(self) -> None:
        """Rolls back after a failure; a connection that died with the statement is dropped
        instead, so the error that matters (the first one) is the one raised."""
        try:
            await self.rollback()
        except Exception:
            await self._discard()

    async def _discard(self) -> None:
        self._touched.clear()
        with contextlib.suppress(Exception):  # nothing more can be done with a dead connection
            await self.session.invalidate()

    async def close(self) -> None:
        """The request or command boundary: anything not committed by now is rolled back.

        Never raises: it runs after the response was decided, where an error would only log a
        traceback and make the server drop the client's keep-alive connection. A connection the
        database dropped is discarded from the pool instead, with one warning line.
        """
        try:
            if not self.session.in_transaction():
                # It holds no connection (never used: the driver path answered every statement,
                # or its write committed): closing would only walk its empty state, ~4% of a
                # database-path read's CPU (py-spy).
                return
            # Still on the autocommit read session (``transactional`` unused): nothing to roll
            # back, and closing returns the connection; skipping the session's own rollback walk
            # saves ~10% of a database-path read's CPU (py-spy).
            if self._transactional is None:
                await self.rollback()
            await self.session.close()
        except Exception as exc:
            log.warning(
                "unit of work: cleanup failed (%s); connection discarded", type(exc).__name__
            )
            await self._discard()


async def _again(exc: DBAPIError | Retry, attempt: int, attempts: int) -> None:
    """After a failed run of a write: raises ``exc`` unless it may run again (a transient
    failure or a ``Retry``, with attempts left), else waits a little, longer each time."""
    if attempt == attempts - 1 or (isinstance(exc, DBAPIError) and not is_transient(exc)):
        raise exc
    await asyncio.sleep(0.005 * (2**attempt) * (1 + random.random()))  # noqa: S311
