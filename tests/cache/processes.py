"""Real ``conduit`` processes for the cache tests: servers on free ports, one-off commands."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import text

from conduit.db import create_engine
from conduit.migrate import upgrade
from conduit.settings import Settings
from tests.conftest import _empty_tables
from tests.ops.conftest import BIN, ROOT, free_port, start, stop, wait_until_serving


def environment(settings: Settings, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """A server's environment on the test database: cache on, cheap Argon2, no throttling."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUIT_")}
    env.update(
        CONDUIT_DATABASE_URL=settings.database_url,
        CONDUIT_SECRET_KEY=settings.secret_key,
        CONDUIT_CACHE_ENABLED="true",
        CONDUIT_RATE_LIMIT_ENABLED="false",
        CONDUIT_ARGON2_TIME_COST="1",
        CONDUIT_ARGON2_MEMORY_COST="1024",
        CONDUIT_ARGON2_PARALLELISM="1",
        CONDUIT_ACCESS_LOG="false",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["CONDUIT_REDIS_URL"] = redis_url
    env.update(extra)
    return env


def empty_database(settings: Settings) -> None:
    """Migrated (once per run, a no-op after) and empty."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            await upgrade(engine)
            await _empty_tables(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def execute(settings: Settings, statement: str) -> None:
    """SQL by hand, as an operator would run it, committed."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextmanager
def serving(env: dict[str, str], count: int = 1) -> Iterator[list[httpx.Client]]:
    """``count`` ``conduit serve`` processes (migrated already), each with its own client."""
    ports = [free_port() for _ in range(count)]
    processes = [
        start([str(BIN / "conduit"), "serve", "--no-migrate", "--port", str(port)], env)
        for port in ports
    ]
    clients: list[httpx.Client] = []
    try:
        for port, process in zip(ports, processes, strict=True):
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(f"{base}/healthz", process, attempts=600)
            # One connection per request: between two requests a test may run a command that
            # outlasts the server's keep-alive timeout, and a request sent on a connection the
            # server is closing at that moment is lost (the keep-alive race, not a server fault).
            clients.append(httpx.Client(base_url=base, timeout=30, headers={"Connection": "close"}))
        yield clients
    finally:
        for client in clients:
            client.close()
        for process in processes:
            stop(process)


def conduit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs one ``conduit`` command to completion (bounded in time)."""
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "conduit"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
