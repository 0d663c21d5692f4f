"""Engine and session factory, plus the few statements that differ between dialects."""

from __future__ import annotations

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
from sqlalchemy.sql.dml import Insert

from conduit.dburl import normalise_url as normalise_url  # re-exported: older imports
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
    outside any transaction (the fast path's account check): autocommit and no pre-ping, so a
    lookup is one round trip instead of five (ping = BEGIN + ROLLBACK, BEGIN, SELECT, ROLLBACK).
    Its caller treats any failure as "ask the full stack", whose pool does ping."""
    url = normalise_url(settings.database_url)
    kwargs: dict[str, Any] = {"echo": settings.db_echo, "pool_pre_ping": not lookups}
    if url.get_backend_name() == "sqlite":
        kwargs.pop("pool_pre_ping")
    else:
        kwargs["pool_recycle"] = 1800
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


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


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
