"""Faults: a dead or returning Redis, an unreachable database, a write failing half-way."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from redis.asyncio import Redis
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit import ratelimit
from conduit.articles import service as article_service
from conduit.settings import Settings
from tests.factories import PASSWORD
from tests.ports import unused_ports
from tests.security.conftest import count, free_port, running

pytestmark = pytest.mark.anyio

DEAD_REDIS = "redis://127.0.0.1:6390/0"
PRIVATE_REDIS_PORT, PROXY_PORT, CLOSED_PORT = unused_ports(3)


async def _full_tour(http: AsyncClient) -> list[tuple[str, int]]:
    """Every one of the 19 operations once; returns (operation, status) pairs."""
    seen: list[tuple[str, int]] = []

    async def call(label: str, method: str, path: str, **kwargs: Any) -> Any:
        response = await http.request(method, path, **kwargs)
        seen.append((label, response.status_code))
        return response.json() if response.content else None

    def user(name: str) -> dict[str, Any]:
        return {"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}}

    token = (await call("register", "POST", "/api/users", json=user("tourist")))["user"]["token"]
    await call("register", "POST", "/api/users", json=user("guide"))
    auth = {"Authorization": f"Token {token}"}
    await call(
        "login",
        "POST",
        "/api/users/login",
        json={"user": {"email": "tourist@example.com", "password": PASSWORD}},
    )
    await call("current user", "GET", "/api/user", headers=auth)
    await call("update user", "PUT", "/api/user", json={"user": {"bio": "hi"}}, headers=auth)
    await call("profile", "GET", "/api/profiles/guide", headers=auth)
    await call("follow", "POST", "/api/profiles/guide/follow", headers=auth)
    await call("unfollow", "DELETE", "/api/profiles/guide/follow", headers=auth)
    article = {"article": {"title": "Tour", "description": "d", "body": "b", "tagList": ["t"]}}
    slug = (await call("create article", "POST", "/api/articles", json=article, headers=auth))[
        "article"
    ]["slug"]
    await call("list articles", "GET", "/api/articles")
    await call("feed", "GET", "/api/articles/feed", headers=auth)
    await call("get article", "GET", f"/api/articles/{slug}")
    change = {"article": {"body": "b2"}}
    await call("update article", "PUT", f"/api/articles/{slug}", json=change, headers=auth)
    await call("favorite", "POST", f"/api/articles/{slug}/favorite", headers=auth)
    await call("unfavorite", "DELETE", f"/api/articles/{slug}/favorite", headers=auth)
    comment = {"comment": {"body": "c"}}
    made = await call(
        "comment", "POST", f"/api/articles/{slug}/comments", json=comment, headers=auth
    )
    await call("comments", "GET", f"/api/articles/{slug}/comments")
    comment_path = f"/api/articles/{slug}/comments/{made['comment']['id']}"
    await call("delete comment", "DELETE", comment_path, headers=auth)
    await call("tags", "GET", "/api/tags")
    await call("delete article", "DELETE", f"/api/articles/{slug}", headers=auth)
    return seen


EXPECTED_TOUR = [201, 201, 200, 200, 200, 200, 200, 200, 201, 200]
EXPECTED_TOUR += [200, 200, 200, 200, 200, 201, 200, 204, 200, 204]


async def test_every_endpoint_answers_with_redis_configured_but_down(
    settings: Settings, app: FastAPI
) -> None:
    async with running(settings, redis_url=DEAD_REDIS, rate_limit_enabled=True) as (_, http):
        tour = await _full_tour(http)
    assert [status for _, status in tour] == EXPECTED_TOUR, tour
    assert len({label for label, _ in tour}) == 19


def _start_redis() -> subprocess.Popen[bytes]:
    """A private, throw-away redis-server (no persistence) this test can stop and start."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is required (apt-get install redis-server)"
    return subprocess.Popen(  # noqa: S603
        [binary, "--port", str(PRIVATE_REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def redis_servers() -> Iterator[list[subprocess.Popen[bytes]]]:
    assert free_port(PRIVATE_REDIS_PORT), f"port {PRIVATE_REDIS_PORT} is busy"
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


async def _wait_for_port(port: int, open_: bool) -> None:
    for _ in range(200):
        if free_port(port) != open_:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"port {port} did not {'open' if open_ else 'close'}")


async def test_the_app_recovers_when_redis_returns_without_a_restart(
    settings: Settings,
    app: FastAPI,
    redis_servers: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Retry Redis on the very next request instead of after the production pause.
    monkeypatch.setattr(ratelimit, "REDIS_RETRY_SECONDS", 0.0)
    url = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
    redis_servers.append(_start_redis())
    await _wait_for_port(PRIVATE_REDIS_PORT, open_=True)
    login = {"user": {"email": "ghost@example.com", "password": "not the one"}}
    async with running(settings, redis_url=url, rate_limit_enabled=True) as (application, http):
        redis: Redis = application.state.resources.redis
        assert (await http.post("/api/users/login", json=login)).status_code == 401
        assert await _keys_when_ready(redis)

        redis_servers[0].terminate()
        redis_servers[0].wait(timeout=10)
        await _wait_for_port(PRIVATE_REDIS_PORT, open_=False)
        assert (await http.post("/api/users/login", json=login)).status_code == 401
        assert (await http.get("/api/articles")).status_code == 200

        redis_servers.append(_start_redis())
        await _wait_for_port(PRIVATE_REDIS_PORT, open_=True)
        assert not await _keys_when_ready(redis)
        assert (await http.post("/api/users/login", json=login)).status_code == 401
        # Counting went back to the (new, empty) Redis through the same, reconnected client.
        assert await _keys_when_ready(redis)


async def _keys_when_ready(redis: Redis) -> list[bytes | str]:
    for _ in range(100):
        with contextlib.suppress(Exception):
            return await redis.keys("conduit:rate*")
        await asyncio.sleep(0.05)
    raise AssertionError("redis did not come back")


async def test_an_unreachable_database_answers_503_in_the_error_format(
    settings: Settings, app: FastAPI
) -> None:
    for url in (
        f"postgresql+asyncpg://postgres@127.0.0.1:{CLOSED_PORT}/conduit",
        f"mysql+aiomysql://root@127.0.0.1:{CLOSED_PORT}/conduit",
    ):
        async with running(settings, server_errors=True, database_url=url) as (_, http):
            for response in (
                await http.get("/api/articles"),
                await http.get("/api/tags"),
                await http.post(
                    "/api/users/login", json={"user": {"email": "a@b.co", "password": "x"}}
                ),
            ):
                assert response.status_code == 503
                assert response.headers["retry-after"] == "1"
                assert response.json() == {
                    "errors": {"database": ["is unavailable, try again shortly"]}
                }


class TcpProxy:
    """A switchable TCP forwarder, so a test can cut the database off and plug it back in."""

    def __init__(self, target_host: str, target_port: int, port: int) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, upstream_writer}
        for task in (
            asyncio.create_task(self._pipe(reader, upstream_writer)),
            asyncio.create_task(self._pipe(upstream_reader, writer)),
        ):
            self.pipes.add(task)
            task.add_done_callback(self.pipes.discard)

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()
        for task in list(self.pipes):
            task.cancel()


@pytest.fixture
async def proxied_database(settings: Settings, app: FastAPI) -> AsyncIterator[tuple[str, TcpProxy]]:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        pytest.skip(
            "SQLite is a local file: it cannot become unreachable (CI runs this on PG/MariaDB)"
        )
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432, PROXY_PORT)
    await proxy.open()
    proxied = url.set(host="127.0.0.1", port=PROXY_PORT).render_as_string(hide_password=False)
    try:
        yield proxied, proxy
    finally:
        await proxy.close()


async def test_the_app_recovers_when_the_database_returns(
    settings: Settings, proxied_database: tuple[str, TcpProxy]
) -> None:
    url, proxy = proxied_database
    async with running(settings, server_errors=True, database_url=url, db_pool_timeout=2.0) as (
        _,
        http,
    ):
        assert (await http.get("/api/tags")).status_code == 200
        await proxy.close()
        down = await http.get("/api/articles")
        assert down.status_code == 503
        assert down.json() == {"errors": {"database": ["is unavailable, try again shortly"]}}
        await proxy.open()
        # The pool's pre-ping replaces the connections that died with the proxy.
        back = await http.get("/api/articles")
        assert back.status_code == 200, back.text


@pytest.mark.server_errors
async def test_a_write_failing_half_way_leaves_nothing_behind(
    client: AsyncClient, db: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = (
        await client.post(
            "/api/users",
            json={"user": {"username": "halfway", "email": "h@example.com", "password": PASSWORD}},
        )
    ).json()["user"]["token"]

    async def connection_lost(*_args: object) -> None:
        # After the article row is inserted, before its tags are linked and the commit.
        raise sa_exc.OperationalError("INSERT INTO article_tags", {}, ConnectionResetError())

    monkeypatch.setattr(article_service, "_link_tags", connection_lost)
    response = await client.post(
        "/api/articles",
        json={"article": {"title": "Half", "description": "d", "body": "b", "tagList": ["x"]}},
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 503
    assert await count(db, "articles") == 0
    assert await count(db, "tags") == 0
    assert await count(db, "article_tags") == 0
