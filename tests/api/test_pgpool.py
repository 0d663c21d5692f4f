"""The driver path's connections (conduit.pgpool), on the real PostgreSQL server: reused while
sound, never more than the bound, waiters served in order and within their time, a connection in
an unknown state closed and its place freed, one the server ended replaced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from fastapi import FastAPI
from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.driver import Driver, reusable
from conduit.errors import Unavailable
from conduit.pgpool import ConnectionPool, PoolClosed

pytestmark = pytest.mark.anyio

Connect = Callable[[], Awaitable[asyncpg.Connection]]

SLEEP = reusable(select(func.pg_sleep(literal(5.0))))


@pytest.fixture
def connect(db: AsyncEngine) -> Connect:
    if db.dialect.name != "postgresql":
        pytest.skip("the driver path is PostgreSQL's (CI runs this on PostgreSQL)")
    _, arguments = db.dialect.create_connect_args(db.url)

    async def opened() -> asyncpg.Connection:
        return await asyncpg.connect(**arguments)

    return opened


@pytest.fixture
def driver(app: FastAPI) -> Driver:
    found: Driver | None = app.state.resources.driver
    if found is None:
        pytest.skip("the driver path is PostgreSQL's (CI runs this on PostgreSQL)")
    return found


@pytest.fixture
async def pool(connect: Connect) -> AsyncIterator[ConnectionPool]:
    made = ConnectionPool(connect, size=2, timeout=2.0)
    yield made
    await made.close()


async def _backend(connection: asyncpg.Connection) -> int:
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    assert isinstance(pid, int)
    return pid


async def test_it_reuses_a_connection_given_back(pool: ConnectionPool) -> None:
    first = await pool.acquire()
    pid = await _backend(first)
    pool.release(first)
    again = await pool.acquire()
    assert again is first
    assert await _backend(again) == pid
    assert pool.in_use == 1
    pool.release(again)
    assert pool.in_use == 0


async def test_it_never_opens_more_than_its_size_and_serves_waiters_in_order(
    pool: ConnectionPool,
) -> None:
    held = [await pool.acquire(), await pool.acquire()]
    served: list[str] = []

    async def wait(name: str) -> asyncpg.Connection:
        connection = await pool.acquire()
        served.append(name)
        return connection

    first = asyncio.create_task(wait("first"))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(wait("second"))
    await asyncio.sleep(0.05)
    assert served == []
    assert pool._open == 2
    pool.release(held[1])
    assert await first is held[1]
    pool.release(held[0])
    assert await second is held[0]
    assert served == ["first", "second"]
    for connection in held:
        pool.release(connection)
    assert pool._open == 2
    assert pool.in_use == 0


async def test_a_waiter_gives_up_after_the_timeout_and_the_pool_carries_on(
    connect: Connect,
) -> None:
    pool = ConnectionPool(connect, size=1, timeout=0.1)
    try:
        held = await pool.acquire()
        with pytest.raises(TimeoutError):
            await pool.acquire()
        pool.release(held)
        assert await pool.acquire() is held  # not handed to the waiter that left
        pool.release(held)
    finally:
        await pool.close()


async def test_a_connection_in_an_unknown_state_is_closed_and_its_place_handed_on(
    pool: ConnectionPool,
) -> None:
    held = [await pool.acquire(), await pool.acquire()]
    waiting = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0.05)
    pool.release(held[0], reusable=False)
    fresh = await waiting  # the waiter opened a new connection in the freed place
    assert held[0].is_closed()
    assert fresh is not held[0]
    assert not fresh.is_closed()
    assert await fresh.fetchval("SELECT 1") == 1
    assert pool._open == 2
    pool.release(fresh)
    pool.release(held[1])


async def test_a_connection_the_server_ended_is_replaced(
    pool: ConnectionPool, connect: Connect
) -> None:
    connection = await pool.acquire()
    pid = await _backend(connection)
    pool.release(connection)
    other = await connect()
    try:
        assert await other.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    for _ in range(100):  # the client notices once it reads the end of the socket
        if connection.is_closed():
            break
        await asyncio.sleep(0.02)
    replacement = await pool.acquire()
    assert replacement is not connection
    assert await _backend(replacement) != pid
    assert pool._open == 1
    pool.release(replacement)


@pytest.mark.uncached
async def test_a_statement_cancelled_midway_closes_its_connection(driver: Driver) -> None:
    pool = driver._ready()
    task = asyncio.create_task(driver.rows(SLEEP, None))
    await asyncio.sleep(0.2)
    assert pool.in_use == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Its protocol state is unknown (the statement may still run): never given to anyone else.
    assert pool.in_use == 0
    assert pool._open == 0
    assert not pool._free
    assert [row[0] for row in await driver.rows(reusable(select(literal(7))), None)] == [7]


async def test_closing_fails_the_waiters_and_closes_what_comes_back(
    connect: Connect,
) -> None:
    pool = ConnectionPool(connect, size=1, timeout=2.0)
    held = await pool.acquire()
    waiting = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0.05)
    await pool.close()
    with pytest.raises(PoolClosed):
        await waiting
    pool.release(held)
    assert held.is_closed()
    assert pool._open == 0
    with pytest.raises(PoolClosed):
        await pool.acquire()


async def test_a_closed_pool_answers_503_through_the_driver(driver: Driver) -> None:
    await driver._ready().close()
    with pytest.raises(Unavailable):
        await driver.rows(reusable(select(literal(1))), None)
