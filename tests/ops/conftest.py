"""Fixtures for operating the app: captured log lines, live server processes."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from conduit.db import create_engine
from conduit.migrate import upgrade
from conduit.observability.logs import configure_logging
from conduit.settings import Settings

LogLines = Callable[[], list[dict[str, Any]]]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines(app: FastAPI, settings: Settings) -> Iterator[LogLines]:
    """JSON log lines the app writes from now on (after the app was created)."""
    buffer = io.StringIO()
    configure_logging(settings.model_copy(update={"log_format": "json"}), buffer)
    yield lambda: [orjson.loads(line) for line in buffer.getvalue().splitlines()]
    configure_logging(settings)


@pytest.fixture(scope="session")
def migrated_database(settings: Settings) -> str:
    """The test database, migrated, for synchronous tests (servers in subprocesses)."""

    async def run() -> None:
        engine = create_engine(settings)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(run())
    return settings.database_url


@pytest.fixture
def server_env(settings: Settings, migrated_database: str) -> dict[str, str]:
    """Environment for a server subprocess on the test database (already migrated)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUIT_")}
    env.update(
        CONDUIT_DATABASE_URL=migrated_database,
        CONDUIT_SECRET_KEY=settings.secret_key,
        CONDUIT_ARGON2_TIME_COST="1",
        CONDUIT_ARGON2_MEMORY_COST="1024",
        CONDUIT_ARGON2_PARALLELISM="1",
        CONDUIT_LOG_FORMAT="json",
        CONDUIT_METRICS_NETWORKS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    """A port nobody listens on now. Fixed ports would collide when several checkouts run this
    suite at once; the small window before the server binds is harmless by comparison."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(url: str, process: subprocess.Popen[Any], attempts: int = 300) -> None:
    """Bounded wait for a freshly started server to answer (fails if it died)."""
    for _ in range(attempts):
        if process.poll() is not None:
            raise AssertionError(f"server exited early with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


def start(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[bytes]:
    # Its own process group: stop() can take worker processes down with their parent.
    return subprocess.Popen(  # noqa: S603 - fixed argv built by the tests
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> bytes:
    # SIGTERM first: a server that exits normally also writes its coverage data (CI measures
    # the code these servers run); SIGKILL whatever is still there after a bounded wait.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # no-op for a group that already exited
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=30)
    return output


PYTHON = sys.executable
BIN = Path(sys.executable).parent
