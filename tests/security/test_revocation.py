"""Issue 11: the database is the only record of who may act. A logout, a password change or a
deleted account holds on every worker from the next request, whatever Redis did meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.settings import Settings
from tests.factories import PASSWORD, Persona
from tests.security.conftest import running
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a fresh and long passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateRedis:
    """A redis-server of this test's own, stopped and started again with its data (append-only
    file), like a real outage: the keys written before it went down come back with it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is required (apt-get install redis-server)"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command of our own
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
                *("--save", "", "--appendonly", "yes", "--appendfsync", "always"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait(up=True)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None
        self._wait(up=False)

    def _wait(self, up: bool) -> None:
        for _ in range(200):
            with socket.socket() as sock:
                if (sock.connect_ex(("127.0.0.1", self.port)) == 0) == up:
                    return
            time.sleep(0.05)
        raise AssertionError(f"redis on {self.port} did not {'start' if up else 'stop'}")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.stop()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


async def _login(http: AsyncClient) -> str:
    credentials = {"user": {"email": "alice@example.com", "password": PASSWORD}}
    response = await http.post("/api/users/login", json=credentials)
    assert response.status_code == 200, response.text
    token: str = response.json()["user"]["token"]
    return token


async def _warm(http: AsyncClient, token: str, slug: str) -> None:
    for path in ("/api/user", "/api/articles", f"/api/articles/{slug}", "/api/articles/feed"):
        for _ in range(2):  # the second read is served from the cache (fast path)
            assert (await http.get(path, headers=_auth(token))).status_code == 200


async def test_it_holds_a_logout_and_a_password_change_made_while_redis_was_down(
    settings: Settings, app: FastAPI, private_redis: PrivateRedis
) -> None:
    shared = settings.model_copy(update={"redis_url": private_redis.url, "cache_enabled": True})
    async with running(shared) as (one, http_one), running(shared) as (two, http_two):
        alice = await Persona.register(http_one, "alice")
        slug = (await alice.write())["slug"]
        other_device = await _login(http_two)
        laptop, laptop_on_two = Browser.open(one), Browser.open(two)
        try:
            await laptop.sign_in("alice")
            cookie = laptop.http.cookies["conduit_session"]
            laptop_on_two.set_cookie("conduit_session", cookie)
            for http in (http_one, http_two):
                await _warm(http, other_device, slug)
            assert await laptop.signed_in_as() == "alice"
            assert await laptop_on_two.signed_in_as() == "alice"

            private_redis.stop()
            assert (await laptop.post("/logout")).status_code == 303
            private_redis.start()  # with every key it held before the outage
            laptop.set_cookie("conduit_session", cookie)  # a copy of the cookie, replayed
            for browser in (laptop, laptop_on_two):
                assert await browser.signed_in_as() is None

            private_redis.stop()
            changed = await http_one.put(
                "/api/user", json={"user": {"password": NEW_PASSWORD}}, headers=alice.auth
            )
            assert changed.status_code == 200
            private_redis.start()
            fresh = changed.json()["user"]["token"]
            for http in (http_one, http_two):
                for path in ("/api/user", "/api/articles", f"/api/articles/{slug}"):
                    response = await http.get(path, headers=_auth(other_device))
                    assert response.status_code == 401, (path, response.text)
                assert (await http.get("/api/user", headers=_auth(fresh))).status_code == 200
        finally:
            await laptop.close()
            await laptop_on_two.close()


async def _delete_user(db: AsyncEngine, username: str) -> None:
    async with db.begin() as conn:
        await conn.execute(text("DELETE FROM users WHERE username = :u"), {"u": username})


async def test_it_refuses_an_account_deleted_out_of_band_on_the_next_request(
    alice: Persona, bob: Persona, client: AsyncClient, db: AsyncEngine, app: FastAPI
) -> None:
    slug = (await bob.write())["slug"]
    await _warm(client, alice.token, slug)
    browser = Browser.open(app)
    try:
        await browser.sign_in("alice")
        assert await browser.signed_in_as() == "alice"
        await _delete_user(db, "alice")
        for path in ("/api/user", "/api/articles", f"/api/articles/{slug}", "/api/articles/feed"):
            assert (await alice.get(path)).status_code == 401, path
        writes: list[tuple[str, str, Any]] = [
            ("POST", "/api/articles", {"article": {"title": "t", "description": "d", "body": "b"}}),
            ("POST", f"/api/articles/{slug}/comments", {"comment": {"body": "hi"}}),
            ("POST", f"/api/articles/{slug}/favorite", None),
            ("POST", "/api/profiles/bob/follow", None),
            ("PUT", "/api/user", {"user": {"bio": "still here?"}}),
        ]
        for method, path, body in writes:
            response = await client.request(method, path, json=body, headers=alice.auth)
            assert response.status_code == 401, (path, response.text)
            assert response.json() == {"errors": {"token": ["is invalid"]}}
        assert await browser.signed_in_as() is None
    finally:
        await browser.close()


# A database that drops mid-request ---------------------------------------------------------


class Proxy:
    """A TCP forwarder to the database that the test can cut (every connection through it dies)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.server: asyncio.Server | None = None
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
        asyncio.ensure_future(self._pipe(reader, upstream_writer))  # noqa: RUF006
        asyncio.ensure_future(self._pipe(upstream_reader, writer))  # noqa: RUF006

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request and its response on an open (keep-alive) connection."""
    writer.write(request)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


@pytest.fixture
async def served(settings: Settings, app: FastAPI) -> AsyncIterator[tuple[int, Proxy, AsyncEngine]]:
    """The app under a real uvicorn (keep-alive is a server matter), on the database through a
    proxy the test can cut."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from conduit.app import create_app

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        pytest.skip("SQLite is a local file: it cannot drop (CI runs this on PG and MariaDB)")
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.open()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    application = create_app(settings.model_copy(update={"database_url": proxied}))
    config = uvicorn.Config(application, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield sock.getsockname()[1], proxy, app.state.resources.engine
    finally:
        server.should_exit = True
        await task
        await proxy.cut()
        sock.close()


def _request(method: str, path: str, token: str = "", body: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: testserver", "Connection: keep-alive"]
    if token:
        lines.append(f"Authorization: Token {token}")
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def test_a_database_dropped_mid_request_answers_503_and_keeps_the_connection(
    served: tuple[int, Proxy, AsyncEngine], caplog: pytest.LogCaptureFixture
) -> None:
    port, proxy, direct = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        user = '{"user":{"username":"alice","email":"alice@example.com","password":"%s"}}'
        status, _, body = await _exchange(
            reader, writer, _request("POST", "/api/users", body=user % PASSWORD)
        )
        assert status == 201, body
        token = json.loads(body)["user"]["token"]
        article = '{"article":{"title":"Held","description":"d","body":"b"}}'
        status, _, body = await _exchange(
            reader, writer, _request("POST", "/api/articles", token, article)
        )
        assert status == 201, body
        # The test holds the article row: the favorite's statement waits for it, mid-request.
        async with direct.connect() as holder:
            await holder.execute(text("SELECT id FROM articles FOR UPDATE"))
            writer.write(_request("POST", "/api/articles/held/favorite", token))
            await writer.drain()
            await asyncio.sleep(1.0)
            caplog.clear()
            await proxy.cut()  # the database connection drops under the waiting statement
            status, headers, body = await _exchange(reader, writer, b"")
            await holder.rollback()
        assert status == 503, body
        assert json.loads(body) == {"errors": {"database": ["is unavailable, try again shortly"]}}
        assert headers.get("connection", "").lower() != "close"
        await proxy.open()
        # The same client connection goes on: it was not dropped.
        status, _, body = await _exchange(reader, writer, _request("GET", "/api/tags"))
        assert status == 200, body
    finally:
        writer.close()
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == [], [r.getMessage() for r in tracebacks]
