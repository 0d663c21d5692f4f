"""Engine and session factory, plus the few statements that differ between dialects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from conduit.dburl import normalise_url as normalise_url  # re-exported: older imports
from conduit.driver import Driver, is_reusable
from conduit.settings import Settings

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless each connection opts in.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(settings: Settings, lookups: bool = False) -> AsyncEngine:
    """The application's engine; with ``lookups``, a second small one for single-statement reads
    outside any transaction (the fast path's account check, in autocommit).

    No pre-ping: on asyncpg it costs three round trips (BEGIN, an empty statement, ROLLBACK) per
    checkout, more than most requests' own statements. What it protected against, a connection
    that died while idle in the pool, is handled instead by (1) ``pool_recycle``, which replaces
    connections before a server's or a firewall's idle timeout closes them, and (2) SQLAlchemy's
    disconnect handling: the request that meets a dead connection fails as a disconnect (a 503
    with Retry-After, never a 500: ``app._database_error``) and the whole pool is invalidated at
    once, so the next request opens fresh connections (tests/security/test_faults.py).
    ``CONDUIT_DB_PRE_PING`` turns it back on where connections go stale wholesale (AWS Lambda)."""
    url = normalise_url(settings.database_url)
    kwargs: dict[str, Any] = {"echo": settings.db_echo}
    if url.get_backend_name() != "sqlite":
        kwargs.update(pool_recycle=1800, pool_pre_ping=settings.db_pre_ping and not lookups)
    if url.get_backend_name() == "postgresql":
        # A connection returned from an autocommit read (create_read_sessionmaker) has nothing to
        # roll back: asyncpg knows it is in autocommit, so the pool's reset skips the call.
        kwargs.update(skip_autocommit_rollback=True)
    if lookups:
        # Never in a transaction, so nothing to roll back when a connection is returned.
        kwargs.update(isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
    if url.database not in (None, "", ":memory:"):
        # Bounded everywhere (file SQLite too): an exhausted pool fails fast with a 503.
        kwargs.update(
            pool_size=max(1, settings.db_pool_size // 2) if lookups else settings.db_pool_size,
            max_overflow=settings.db_max_overflow // 2 if lookups else settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def create_sessionmaker(
    engine: AsyncEngine, driver: Driver | None = None
) -> async_sessionmaker[AsyncSession]:
    """Transactional sessions; with ``driver``, their reads before a write's transaction begins
    (a write's 404 check, the article a favorite answers with) run on it (``rows``)."""
    info = {} if driver is None else {DRIVER: driver}
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)


def create_read_sessionmaker(
    engine: AsyncEngine, driver: Driver | None = None
) -> async_sessionmaker[AsyncSession] | None:
    """Sessions for requests that only read (GET), on the same pool in autocommit, where that is
    cheaper: on PostgreSQL (asyncpg) autocommit is a client-side flag, and a read then costs one
    round trip per statement instead of BEGIN + statements + ROLLBACK. Its default isolation,
    READ COMMITTED, already gives each statement its own snapshot, so a read sees nothing it
    would not have seen inside a transaction. MariaDB (aiomysql) would pay a round trip to switch
    autocommit on and another to switch it back, and its REPEATABLE READ snapshot would be lost;
    SQLite's BEGIN is local. Both keep their transactions: None."""
    if engine.dialect.name != "postgresql":
        return None
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    info = {} if driver is None else {DRIVER: driver, AUTOCOMMIT: True}
    return async_sessionmaker(autocommit, expire_on_commit=False, autoflush=False, info=info)


def create_driver_reads(engine: AsyncEngine, settings: Settings) -> Driver | None:
    """The driver path of autocommit reads (conduit.driver): PostgreSQL only, with the engine's
    own connection arguments; half the engine's pool size, since it holds a connection only for
    one statement at a time."""
    if engine.dialect.name != "postgresql" or not settings.db_driver_reads:
        return None
    _, connect = engine.dialect.create_connect_args(engine.url)
    size = max(2, settings.db_pool_size // 2)
    return Driver(engine.dialect, connect, size, settings.db_pool_timeout)


# The ``Session.info`` key under which a read session carries the driver path (conduit.driver).
DRIVER = "conduit.driver"
AUTOCOMMIT = "conduit.autocommit"  # ... and marks a read session (never in a transaction)


async def rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Any]:
    """A read's rows as Core rows (attribute access by column key), without the ORM's execution
    layer (its events, compile-state set-up and result processing cost a read ~10% of its CPU in
    the profile: docs/performance.md). On a PostgreSQL read session a statement marked
    ``driver.reusable`` runs on the driver; any other runs on the session's connection, in its
    transaction if it has one."""
    driver: Driver | None = session.info.get(DRIVER)
    if (
        driver is not None
        and is_reusable(statement)
        # Outside a transaction (a read session, or before a write's begins): a statement of its
        # own at READ COMMITTED, which another connection answers alike. Inside one, the
        # session's connection, which sees the transaction's own writes.
        and (session.info.get(AUTOCOMMIT) or not session.in_transaction())
    ):
        return await driver.rows(statement, params)
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def first(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Any | None:
    """The first row of ``rows``, or None."""
    found = await rows(session, statement, params)
    return found[0] if found else None


def insert_ignore(session: AsyncSession, entity: Any, rows: list[dict[str, Any]]) -> Insert:
    """An INSERT that silently skips rows violating a unique key, in the session's dialect.

    Idempotent writes (favorite, follow, tag creation) rely on it so that concurrent requests
    settle on one row instead of surfacing an IntegrityError.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity).values(rows).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(entity).values(rows).on_conflict_do_nothing()
    if name in ("mysql", "mariadb"):
        return mysql.insert(entity).values(rows).prefix_with("IGNORE")
    raise NotImplementedError(f"unsupported dialect {name}")


def inserted_id(result: Result[Any]) -> int:
    """The new primary key of a single-row INSERT (RETURNING or lastrowid, per dialect)."""
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None
    return int(key[0])
