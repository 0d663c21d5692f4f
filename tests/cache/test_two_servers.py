"""Two real server processes sharing one Redis and one database: a write through one is visible
in the very next read through the other, even when that read was cached a moment before."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.settings import Settings
from tests.cache.conftest import flush_redis, redis_url
from tests.conftest import _empty_tables


def _free_port() -> int:
    # Never a fixed port: several checkouts of the project run their suites on one machine.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # a loaded machine imports slowly
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no server on port {port}")


@pytest.fixture
def servers(settings: Settings, migrated: AsyncEngine) -> Iterator[list[httpx.Client]]:
    import asyncio

    asyncio.run(_empty_tables_fresh(settings))
    flush_redis()
    env = {
        **os.environ,
        "CONDUIT_DATABASE_URL": settings.database_url,
        "CONDUIT_REDIS_URL": redis_url(),
        "CONDUIT_SECRET_KEY": settings.secret_key,
        "CONDUIT_CACHE_ENABLED": "true",
        "CONDUIT_RATE_LIMIT_ENABLED": "false",
        "CONDUIT_ARGON2_TIME_COST": "1",
        "CONDUIT_ARGON2_MEMORY_COST": "1024",
        "CONDUIT_ARGON2_PARALLELISM": "1",
    }
    conduit = str(Path(sys.executable).parent / "conduit")
    ports = (_free_port(), _free_port())
    processes = [
        subprocess.Popen(  # noqa: S603  (our own server binary)
            [conduit, "serve", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    clients: list[httpx.Client] = []
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait(port, process)
            clients.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10))
        yield clients
    finally:
        for client in clients:
            client.close()
        for process in processes:
            process.terminate()
            process.wait(10)


async def _empty_tables_fresh(settings: Settings) -> None:
    from conduit.db import create_engine

    engine = create_engine(settings)
    try:
        await _empty_tables(engine)
    finally:
        await engine.dispose()


def test_a_write_through_one_server_is_visible_in_the_next_read_through_the_other(
    servers: list[httpx.Client],
) -> None:
    one, two = servers
    user = {"username": "alice", "email": "alice@example.com", "password": "correct horse 12"}
    token = one.post("/api/users", json={"user": user}).json()["user"]["token"]
    auth = {"Authorization": f"Token {token}"}
    article = {"title": "Shared", "description": "d", "body": "b", "tagList": ["x"]}
    slug = one.post("/api/articles", json={"article": article}, headers=auth).json()["article"][
        "slug"
    ]
    path = f"/api/articles/{slug}"
    for _ in range(2):  # the second read is a cache hit in server two
        assert two.get(path, headers=auth).json()["article"]["favorited"] is False
        assert two.get("/api/articles").json()["articles"][0]["favoritesCount"] == 0
        assert two.get(f"{path}/comments").json() == {"comments": []}
    assert one.post(f"{path}/favorite", headers=auth).status_code == 200
    assert two.get(path, headers=auth).json()["article"]["favorited"] is True
    assert two.get("/api/articles").json()["articles"][0]["favoritesCount"] == 1
    comment = {"comment": {"body": "from one"}}
    assert one.post(f"{path}/comments", json=comment, headers=auth).status_code == 201
    assert [c["body"] for c in two.get(f"{path}/comments").json()["comments"]] == ["from one"]
    assert one.put("/api/user", json={"user": {"bio": "new"}}, headers=auth).status_code == 200
    assert two.get("/api/profiles/alice").json()["profile"]["bio"] == "new"
    assert two.get("/api/user", headers=auth).json()["user"]["bio"] == "new"
    assert one.delete(path, headers=auth).status_code == 204
    assert two.get(path).status_code == 404
