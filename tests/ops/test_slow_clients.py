"""Slow and idle clients against a real `conduit serve`: deadlines for heads, bodies and idle
connections, and no database connection held while a body is still arriving.

Loopback only, a free port per server, every wait bounded. The deadlines are set short here
(1-3 s) so that the tests stay quick; the defaults are in docs/security.md.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
)
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from conduit.settings import Settings
from tests.ops.conftest import BIN, ROOT, free_port, stop, wait_until_serving

pytestmark = pytest.mark.anyio

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 3.0
KEEPALIVE_TIMEOUT = 1
SLOW_CLIENTS = 25
# How long a deadline may overrun on a loaded two-core machine before the test calls it missed.
SLACK = 5.0


@pytest.fixture(scope="module")
def server(
    settings: Settings, migrated_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """One `conduit serve` for the module, with short deadlines and a small pool (5 connections,
    1 s to get one). Its tests need no rows, so it outlives the per-test table cleaning."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUIT_")}
    env.update(
        CONDUIT_DATABASE_URL=migrated_database,
        CONDUIT_SECRET_KEY=settings.secret_key,
        CONDUIT_ARGON2_TIME_COST="1",
        CONDUIT_ARGON2_MEMORY_COST="1024",
        CONDUIT_ARGON2_PARALLELISM="1",
        CONDUIT_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        CONDUIT_BODY_TIMEOUT=str(BODY_TIMEOUT),
        CONDUIT_KEEPALIVE_TIMEOUT=str(KEEPALIVE_TIMEOUT),
        CONDUIT_DB_POOL_SIZE="5",
        CONDUIT_DB_MAX_OVERFLOW="0",
        CONDUIT_DB_POOL_TIMEOUT="1",
        CONDUIT_RATE_LIMIT_ENABLED="false",
        CONDUIT_ACCESS_LOG="false",
    )
    log = tmp_path_factory.mktemp("slow-clients") / "server.log"
    with log.open("wb") as output:
        # Output to a file, not a pipe: a module's worth of requests must never fill a pipe.
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [str(BIN / "conduit"), "serve", "--port", str(port), "--no-migrate"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, attempts=1200)
            yield f"http://127.0.0.1:{port}", process.pid
        finally:
            stop(process)
    # Nothing the slow clients did may surface as an error in the server's own log.
    assert b"Traceback" not in log.read_bytes()


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    received = b""
    async with asyncio.timeout(seconds):
        while chunk := await reader.read(65536):
            received += chunk
    return received, time.monotonic() - started


@asynccontextmanager
async def _slow_body(base: str, path: str, cookie: str) -> AsyncIterator[asyncio.StreamReader]:
    """A form post whose head is complete but whose body stops after a few bytes, for ever."""
    port = int(base.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {base}\r\n"
        f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 5000\r\n\r\nemail=slow"
    )
    writer.write(head.encode())
    await writer.drain()
    try:
        yield reader
    finally:
        writer.close()


@asynccontextmanager
async def _all(
    managers: Iterable[AbstractAsyncContextManager[asyncio.StreamReader]],
) -> AsyncIterator[list[asyncio.StreamReader]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(manager) for manager in managers]


async def _idle_in_transaction(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
                )
            )
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def test_slow_bodies_hold_no_database_connection(
    server: tuple[str, int], database_url: str
) -> None:
    """25 made-up sessions posting bodies that never finish (the pool has 5 connections): other
    requests keep being served, and each slow one is cut with 408 after the body deadline."""
    base, _pid = server
    paths = ["/login", "/settings", "/article/x/comments", "/api/users/login"]
    async with _all(
        _slow_body(base, paths[i % len(paths)], f"conduit_session=made-up-{i}")
        for i in range(SLOW_CLIENTS)
    ) as slow:
        started = time.monotonic()
        await asyncio.sleep(0.5)  # every slow client has sent its head and a few bytes
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            statuses = []
            for _ in range(3):
                for path in ("/api/articles", "/api/tags", "/", "/login"):
                    statuses.append((await http.get(path)).status_code)
            wrong = await http.post(
                "/api/users/login",
                json={"user": {"email": "nobody@example.com", "password": "nope nope"}},
            )
            statuses.append(wrong.status_code)
        if database_url.startswith("postgresql"):
            assert await _idle_in_transaction(database_url) == 0
        assert set(statuses[:-1]) == {200}, statuses
        assert statuses[-1] == 401
        answers = await asyncio.gather(
            *(_closed_within(reader, BODY_TIMEOUT + SLACK) for reader in slow)
        )
    for received, _elapsed in answers:
        assert received.startswith(b"HTTP/1.1 408 "), received[:100]
        assert b"connection: close" in received.lower()
        assert received.endswith(b'{"errors":{"body":["was not received in time"]}}')
    # Cut at the deadline (not before), all of them, while the server kept serving.
    assert time.monotonic() - started >= BODY_TIMEOUT - 0.5


async def test_a_connection_that_sends_nothing_is_closed(server: tuple[str, int]) -> None:
    base, _pid = server
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    try:
        received, elapsed = await _closed_within(reader, HEADER_TIMEOUT + SLACK)
    finally:
        writer.close()
    assert received == b""
    assert elapsed >= HEADER_TIMEOUT - 0.5


@pytest.mark.parametrize(
    "partial",
    [b"GET /api/tags HT", b"GET /api/tags HTTP/1.1\r\nHost: x\r\n", b"\r\n\r\n"],
)
async def test_a_half_sent_head_is_closed(server: tuple[str, int], partial: bytes) -> None:
    base, _pid = server
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    try:
        writer.write(partial)
        await writer.drain()
        received, elapsed = await _closed_within(reader, HEADER_TIMEOUT + SLACK)
    finally:
        writer.close()
    assert b"200 OK" not in received
    assert elapsed < HEADER_TIMEOUT + SLACK


async def test_a_kept_alive_connection_that_starts_a_request_and_stalls_is_closed(
    server: tuple[str, int],
) -> None:
    base, _pid = server
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    try:
        writer.write(b"GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 200")
        # One byte of a next request, then nothing: the head deadline still applies.
        writer.write(b"G")
        await writer.drain()
        await _closed_within(reader, HEADER_TIMEOUT + SLACK)
    finally:
        writer.close()


async def test_an_idle_kept_alive_connection_is_closed(server: tuple[str, int]) -> None:
    base, _pid = server
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    try:
        writer.write(b"GET /api/tags HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        assert (await reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 200")
        _, elapsed = await _closed_within(reader, KEEPALIVE_TIMEOUT + SLACK)
    finally:
        writer.close()
    assert elapsed >= KEEPALIVE_TIMEOUT - 0.5


async def test_a_slow_but_steady_request_within_the_deadlines_is_served(
    server: tuple[str, int],
) -> None:
    base, _pid = server
    reader, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    body = b'{"user": {"email": "nobody@example.com", "password": "nope nope"}}'
    try:
        writer.write(b"POST /api/users/login HTTP/1.1\r\nHost: x\r\n")
        await asyncio.sleep(HEADER_TIMEOUT / 2)
        writer.write(b"Content-Type: application/json\r\n")
        writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode())
        for piece in (body[:20], body[20:40], body[40:]):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(HEADER_TIMEOUT)  # longer than the head deadline, in total
        status = await reader.readuntil(b"\r\n")
    finally:
        writer.close()
    assert status.startswith(b"HTTP/1.1 401")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def test_stalled_bodies_cost_at_most_their_size_in_memory(
    server: tuple[str, int],
) -> None:
    """25 clients each send a body just under the 1 MiB limit but never its last byte: the
    worker buffers each once (≈ 25 MiB), and frees the connections at the deadline."""
    base, pid = server
    port = int(base.rsplit(":", 1)[1])
    before = _rss_mb(pid)
    size = 1_048_576
    writers = []
    try:
        for _ in range(SLOW_CLIENTS):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = (
                "POST /api/users/login HTTP/1.1\r\nHost: x\r\n"
                f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
            )
            writer.write(head.encode() + b"x" * (size - 1))
            writers.append((reader, writer))
        await asyncio.gather(*(writer.drain() for _, writer in writers))
        await asyncio.sleep(1.0)
        during = _rss_mb(pid)
        answers = await asyncio.gather(
            *(_closed_within(reader, BODY_TIMEOUT + SLACK) for reader, _ in writers)
        )
    finally:
        for _, writer in writers:
            writer.close()
    assert all(received.startswith(b"HTTP/1.1 408 ") for received, _ in answers)
    assert during - before < SLOW_CLIENTS * size / 2**20 * 2 + 40, (before, during)
