"""The driver path: statements built once with SQLAlchemy Core, compiled once, and run on asyncpg
directly, for PostgreSQL's autocommit reads and its writes that are one statement.

Why: measured in-process on PostgreSQL (CPU per statement, one article read; docs/performance.md,
"What changed", item 11), through an ``AsyncSession`` 554 µs, an ``AsyncConnection`` 508 µs (of
which the pool checkout 123 and the execution layer ~220), the same compiled SQL on an asyncpg
connection 56 µs. SQLAlchemy still builds and compiles every statement (with its dialect: the SQL
is exactly what it would send) and gives each result column its type's own result processor;
only the execution layer is skipped.

Only statements marked ``reusable`` (built once per shape, kept for the process's life) come here:
a statement built per request would be compiled per request, which SQLAlchemy's own cache does
better. Only statements outside a transaction come here: reads (``db.rows`` on a read session, or
on a transactional one before its transaction begins), each its own READ COMMITTED snapshot, so
another connection sees exactly what the session's would; and a write that is one statement
(``UnitOfWork.write_statement``), atomic on its own, so BEGIN and COMMIT would add two round trips
and nothing else. Connections come from a bounded free list of their own (``conduit.pgpool``,
cheaper than asyncpg's ``Pool``); nothing is left on them between statements (no transaction, no
session state), so returning one needs no reset round trip.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable

from conduit.errors import UNAVAILABLE_STATES, database_unavailable
from conduit.pgpool import ConnectionPool

S = TypeVar("S", bound=Executable)

# id(statement) -> statement: what ``reusable`` marked (each kept alive here, so ids stay unique).
_REUSABLE: dict[int, Executable] = {}


def reusable(statement: S) -> S:
    """Marks a statement built once (a module constant, a cached shape) as one the driver path
    may compile once and keep."""
    _REUSABLE[id(statement)] = statement
    return statement


def is_reusable(statement: object) -> bool:
    return _REUSABLE.get(id(statement)) is statement


class _Compiled:
    """One statement for one dialect: its SQL, where each parameter goes, the values bound at
    build time, and how each result column is converted (as SQLAlchemy would)."""

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order: Sequence[str] = tuple(compiled.positiontup or ())
        # Values bound when the statement was built (constants, literals); the rest are named
        # parameters each call supplies. Each parameter passes its type's own bind conversion.
        named = {name: bind for bind, name in compiled.bind_names.items()}
        self.defaults = {
            name: bind.effective_value for name, bind in named.items() if not bind.required
        }
        if compiled.insert_prefetch or compiled.update_prefetch:
            # A column default SQLAlchemy computes in Python at execution time would be left
            # unset here: such a statement binds the value itself.
            raise ValueError(f"the driver path needs every written value bound: {self.sql}")
        converters = [
            dialect.type_descriptor(named[name].type).bind_processor(dialect) for name in self.order
        ]
        self.converting = [(i, f) for i, f in enumerate(converters) if f is not None]
        # A SELECT's columns, or a write's RETURNING columns.
        columns = list(statement.exported_columns)
        # Each column's dialect-level type gives SQLAlchemy's own conversion (a JSON list kept
        # as text is decoded here, exactly as on the session's path).
        processors = [
            dialect.type_descriptor(column.type).result_processor(dialect, None)
            for column in columns
        ]
        self.processing = [(i, f) for i, f in enumerate(processors) if f is not None]
        names = [str(column.key) for column in columns]
        self.row: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = {**self.defaults, **params}
        arguments = [values[name] for name in self.order]
        for i, convert in self.converting:
            arguments[i] = convert(arguments[i])
        return arguments

    def rows(self, records: list[Any]) -> list[Any]:
        make = self.row._make
        if not self.processing:
            return [make(record) for record in records]
        rows = []
        for record in records:
            values = list(record)
            for i, process in self.processing:
                values[i] = process(values[i])
            rows.append(make(values))
        return rows


class Driver:
    """Its own asyncpg connections and the compiled reusable statements (PostgreSQL only)."""

    def __init__(
        self, dialect: Dialect, connect: Mapping[str, Any], size: int, timeout: float
    ) -> None:
        self._dialect = dialect
        self._connect = connect
        self._size = size
        self._timeout = timeout
        self._pool: ConnectionPool | None = None
        self._compiled: dict[int, _Compiled] = {}

    def _ready(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(self._open, self._size, self._timeout)
        return self._pool

    async def _open(self) -> asyncpg.Connection:
        return await asyncpg.connect(**self._connect)

    def takes(self, statement: Executable) -> bool:
        """Whether ``statement`` may come here (``reusable``)."""
        return is_reusable(statement)

    def compiled(self, statement: Executable) -> _Compiled:
        found = self._compiled.get(id(statement))
        if found is None:
            found = self._compiled[id(statement)] = _Compiled(statement, self._dialect)
        return found

    async def rows(self, statement: Executable, params: Mapping[str, Any] | None) -> list[Any]:
        """The statement's rows, a write's RETURNING rows (attribute access by column key, as
        SQLAlchemy's rows), in autocommit. A server that cannot serve (refused, gone, out of
        connections) raises ``Unavailable`` (503); any other database error is raised as
        SQLAlchemy would raise it (``IntegrityError``, ``DBAPIError``: the unit of work retries a
        transient one), its parameters hidden."""
        compiled = self.compiled(statement)
        arguments = compiled.arguments(params or {})
        try:
            pool = self._pool or self._ready()
            connection = await pool.acquire()
            reusable = False
            try:
                records = await connection.fetch(compiled.sql, *arguments)
                reusable = True
            except asyncpg.PostgresError:
                # PostgreSQL refused the statement; the connection is as good as before (one
                # the server ended is noticed as closed when given back).
                reusable = True
                raise
            finally:
                pool.release(connection, reusable)
        except (OSError, TimeoutError, asyncpg.InterfaceError) as exc:
            raise database_unavailable() from exc
        except asyncpg.PostgresError as exc:
            if str(getattr(exc, "sqlstate", "") or "").startswith(UNAVAILABLE_STATES):
                raise database_unavailable() from exc
            error = (
                sa_exc.IntegrityError
                if isinstance(exc, asyncpg.IntegrityConstraintViolationError)
                else sa_exc.DBAPIError
            )
            raise error(compiled.sql, arguments, exc, hide_parameters=True) from exc
        return compiled.rows(records)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
