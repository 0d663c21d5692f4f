"""Helpers for the security suite: apps with overridden settings, raw rows, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.settings import Settings
from tests.assertions import refuse_server_errors
from tests.ports import unused_port

LIVE_PORT = unused_port()
REDIS_DB = 4
REDIS_URL = os.environ.get("CONDUIT_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")


@asynccontextmanager
async def running(
    settings: Settings,
    client_host: str = "127.0.0.1",
    server_errors: bool = False,
    **overrides: Any,
) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """A second app on the same (already emptied) database, with some settings changed. Like the
    suite's own client it fails any 5xx, unless the test provokes them (``server_errors``)."""
    application = create_app(settings.model_copy(update=overrides))
    async with application.router.lifespan_context(application):
        transport = ASGITransport(
            app=application, raise_app_exceptions=False, client=(client_host, 40000)
        )
        hooks = [] if server_errors else [refuse_server_errors]
        async with AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks={"response": hooks}
        ) as http:
            yield application, http


def assert_throttled(response: Response) -> None:
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 3600
    assert response.json() == {"errors": {"rate": [f"limit exceeded, retry in {wait} seconds"]}}


@asynccontextmanager
async def client_from(application: FastAPI, address: str) -> AsyncIterator[AsyncClient]:
    """Another client of the same running app, connecting from ``address``."""
    transport = ASGITransport(app=application, raise_app_exceptions=False, client=(address, 40001))
    async with AsyncClient(
        transport=transport,
        base_url="http://testserver",
        event_hooks={"response": [refuse_server_errors]},
    ) as http:
        yield http


async def row(engine: AsyncEngine, table: str, where: str, **params: Any) -> tuple[Any, ...] | None:
    """One raw row, every column, as the database stores it (for byte-identical comparisons)."""
    async with engine.connect() as conn:
        result = await conn.execute(text(f"SELECT * FROM {table} WHERE {where}"), params)  # noqa: S608
        found = result.first()
    return tuple(found) if found is not None else None


async def count(engine: AsyncEngine, table: str, where: str = "1=1", **params: Any) -> int:
    async with engine.connect() as conn:
        result = await conn.execute(
            text(f"SELECT COUNT(*) FROM {table} WHERE {where}"),  # noqa: S608
            params,
        )
        return int(result.scalar_one())


def free_port(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def live_server(settings: Settings, app: FastAPI) -> Iterator[str]:
    """``conduit serve`` in a subprocess on the test database (real parallelism: its own loop)."""
    assert free_port(LIVE_PORT), f"port {LIVE_PORT} is busy"
    env = {
        **os.environ,
        "CONDUIT_DATABASE_URL": settings.database_url,
        "CONDUIT_SECRET_KEY": settings.secret_key,
        "CONDUIT_RATE_LIMIT_ENABLED": "false",
        "CONDUIT_ARGON2_TIME_COST": "1",
        "CONDUIT_ARGON2_MEMORY_COST": "1024",
        "CONDUIT_ARGON2_PARALLELISM": "1",
        "CONDUIT_REDIS_URL": "",
    }
    command = [str(Path(sys.executable).parent / "conduit"), "serve", "--port", str(LIVE_PORT)]
    command += ["--no-migrate"]
    process = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{LIVE_PORT}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
            time.sleep(0.1)
        else:
            raise RuntimeError("conduit serve did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
