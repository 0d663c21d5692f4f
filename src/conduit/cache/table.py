"""Generations held in the database (``cache_generations``), for set-ups without Redis.

Writers bump the rows of the names they touched inside their own transaction (``bump_in``, called
by the unit of work just before its commit): the bump commits if and only if the write does, so no
crash or failure between a commit and a separate bump can leave a write unannounced. The price is
that concurrent writers of the same name (``cg:articles``) queue on its row lock between their
bump and their commit; the unit of work bumps last, in sorted name order, so that is one commit's
time and never a deadlock.

Readers must see every commit made before their request started, by any process:

- SQLite: a dedicated stdlib ``sqlite3`` connection asks ``PRAGMA data_version``, which changes
  whenever any other connection (of any process) committed. Only then are the rows read again:
  an unchanged database costs one pragma (a few microseconds) per cached request.
- PostgreSQL, MariaDB: one small primary-key SELECT per round on a dedicated autocommit
  connection, at the driver level (asyncpg, aiomysql: a fifth of SQLAlchemy's cost). Requests
  that ask while a round is in flight share the next round, which starts after they asked: the
  check stays strict while a busy process pays one query per batch, not per request.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from urllib.request import pathname2url

from sqlalchemy import BigInteger, String, column, func, table
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql.dml import Insert

from conduit.cache.generations import ALL, fold, fresh_generation
from conduit.cache.outage import OutageLog
from conduit.keyed import KeyedReads

log = logging.getLogger("conduit.cache")

# The cache's own table, named here without the ORM models (the cache imports no schema module);
# conduit.models declares the same table for migrations and the schema checks.
TABLE = table("cache_generations", column("name", String(320)), column("value", BigInteger))
READ_TIMEOUT = 1.0  # seconds; a slower database means no caching for that request, not a wait
KNOWN_LIMIT = 10_000  # names remembered between two changes of an SQLite database


def bump_statement(dialect: str, names: Sequence[str]) -> Insert:
    """One upsert for all ``names``: a new row starts at the clock, an existing one moves to
    ``max(value + 1, clock)`` so that values keep growing even after a restore from a backup."""
    rows = [{"name": name, "value": fresh_generation()} for name in sorted(set(names))]
    value = TABLE.c.value
    if dialect == "postgresql":
        pg = postgresql.insert(TABLE).values(rows)
        return pg.on_conflict_do_update(
            index_elements=["name"], set_={"value": func.greatest(value + 1, pg.excluded.value)}
        )
    if dialect == "sqlite":
        lite = sqlite.insert(TABLE).values(rows)
        return lite.on_conflict_do_update(
            index_elements=["name"], set_={"value": func.max(value + 1, lite.excluded.value)}
        )
    if dialect in ("mysql", "mariadb"):
        my = mysql.insert(TABLE).values(rows)
        return my.on_duplicate_key_update(value=func.greatest(value + 1, my.inserted.value))
    raise NotImplementedError(f"unsupported dialect {dialect}")


def sqlite_path(url: URL) -> str | None:
    """The file of an SQLite URL; None for an in-memory database (no other process sees it)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("mode") == "memory":
        return None
    return url.database


class SqliteWatcher:
    """Reads generations from an SQLite file, re-reading rows only after another commit."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._known: dict[str, int] = {}

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # A WAL reader never waits for writers; the short timeout covers the rare moments it
            # would (recovery of the WAL index): the request is then served uncached.
            # mode=rw: never create the file (a server started before its migration must not
            # leave an empty database behind); a missing file is a failed read, served uncached.
            location = f"file:{pathname2url(os.path.abspath(self._path))}?mode=rw"
            connection = sqlite3.connect(
                location, timeout=0.05, isolation_level=None, check_same_thread=False, uri=True
            )
            connection.execute("PRAGMA query_only=ON")
            self._connection = connection
        return self._connection

    def read(self, names: Sequence[str]) -> list[int]:
        connection = self._connect()
        (version,) = connection.execute("PRAGMA data_version").fetchone()
        known = self._known
        if version != self._version or len(known) > KNOWN_LIMIT:
            known.clear()
            self._version = version
        missing = [name for name in names if name not in known]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = connection.execute(
                f"SELECT name, value FROM cache_generations WHERE name IN ({marks})",  # noqa: S608
                missing,
            ).fetchall()
            known.update(dict.fromkeys(missing, 0))
            known.update(rows)
        return [known[name] for name in names]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._version = None
        self._known.clear()


class ServerReader:
    """Reads generations from PostgreSQL or MariaDB in shared rounds on one dedicated connection
    (``conduit.keyed``)."""

    def __init__(self, url: URL) -> None:
        self._rows = KeyedReads(url, "cache_generations", ("name", "value"), "text", READ_TIMEOUT)

    async def read(self, names: Sequence[str]) -> list[int]:
        rows = await self._rows.read(names)
        return [int(rows[name][1]) if name in rows else 0 for name in names]

    async def close(self) -> None:
        await self._rows.close()


class TableGenerations:
    """The ``Generations`` of a database-held set-up (see the module's docstring)."""

    in_database = True

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        path = sqlite_path(engine.url)
        self._watcher = SqliteWatcher(path) if path is not None else None
        self._server = None if path is not None else ServerReader(engine.url)
        self._outage = OutageLog(log, "the generations table")

    async def read(self, names: Sequence[str]) -> list[int] | None:
        wanted = [ALL, *names]
        try:
            if self._watcher is not None:
                values = self._watcher.read(wanted)
            else:
                assert self._server is not None
                values = await self._server.read(wanted)
        except Exception as exc:  # any failure: serve uncached
            self._failed(exc)
            return None
        self._outage.recovered()
        everything = values[0]
        return [fold(everything, value) for value in values[1:]]

    def _failed(self, exc: BaseException) -> None:
        if self._watcher is not None:
            self._watcher.close()
        self._outage.failed("read", exc)

    async def bump_in(self, session: AsyncSession, names: Sequence[str]) -> None:
        await session.execute(bump_statement(self._dialect, names))

    async def bump_after(self, names: Sequence[str]) -> None:
        return None  # already bumped in the writer's transaction (bump_in)

    async def bump(self, names: Sequence[str]) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(bump_statement(self._dialect, names))

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
        if self._server is not None:
            await self._server.close()
