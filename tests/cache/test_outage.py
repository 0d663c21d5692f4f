"""Redis failing under the cache: a write whose bump failed is never served stale once Redis is
back (the idle worker's lease, the writer's replay), and the outage is logged by its transitions,
not once per request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
import redis
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.cache import shared
from conduit.settings import Settings
from tests.cache.private_redis import PrivateRedis, private_redis
from tests.conftest import _empty_tables
from tests.factories import Persona

pytestmark = pytest.mark.anyio


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def cache_log() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("conduit.cache")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def private() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@asynccontextmanager
async def worker(settings: Settings, url: str) -> AsyncIterator[tuple[FastAPI, AsyncClient]]:
    """One worker process's app (its own entries), generations in the private Redis."""
    application = create_app(settings.model_copy(update={"cache_enabled": True, "redis_url": url}))
    async with application.router.lifespan_context(application):
        transport = ASGITransport(app=application)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield application, http


async def _until(condition: object, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


async def test_an_idle_worker_never_serves_what_a_write_during_the_outage_changed(
    settings: Settings, migrated: AsyncEngine, private: PrivateRedis
) -> None:
    await _empty_tables(migrated)
    async with (
        worker(settings, private.url()) as (_, one),
        worker(settings, private.url()) as (
            _,
            two,
        ),
    ):
        alice = await Persona.register(one, "alice")
        slug = (await alice.write(title="Before the outage"))["slug"]
        path = f"/api/articles/{slug}"
        for _ in range(2):  # cached in worker two, which then stays idle
            assert (await two.get(path)).json()["article"]["title"] == "Before the outage"

        private.stop()  # Redis keeps its data (append-only file)
        edit = {"article": {"title": "Edited while Redis was down"}}
        response = await alice.put(path, edit)
        assert response.status_code == 200  # the write itself never depends on Redis
        new_path = f"/api/articles/{response.json()['article']['slug']}"
        private.start()

        assert (await two.get(path)).status_code == 404
        shown = (await two.get(new_path)).json()["article"]["title"]
        assert shown == "Edited while Redis was down"
        assert (await two.get("/api/articles")).json()["articles"][0]["title"] == shown


async def test_the_writer_replays_a_failed_bump_as_soon_as_redis_answers(
    settings: Settings, migrated: AsyncEngine, private: PrivateRedis, cache_log: Lines
) -> None:
    await _empty_tables(migrated)
    async with worker(settings, private.url()) as (application, http):
        await http.get("/api/tags")  # counters seeded, the heartbeat running
        await http.get("/api/tags")
        check = redis.Redis.from_url(private.url())
        before = int(check.get("cg:all") or 0)
        private.stop()
        await Persona.register(http, "writer")
        generations = application.state.resources.cache.generations
        await generations.bump(["cg:articles"])  # what any write does after its commit
        assert generations.owed
        private.start()
        await _until(lambda: not generations.owed, 5 * shared.HEARTBEAT + 5)
        assert int(check.get("cg:all") or 0) == before + 1
        check.close()
    assert any("replayed a bump" in line for line in cache_log.lines)


async def test_an_outage_is_logged_when_it_starts_and_ends_not_per_request(
    settings: Settings, migrated: AsyncEngine, private: PrivateRedis, cache_log: Lines
) -> None:
    await _empty_tables(migrated)
    async with worker(settings, private.url()) as (_, http):
        await http.get("/api/tags")
        private.stop()
        for _ in range(60):
            assert (await http.get("/api/tags")).status_code == 200  # from the database
        private.start()
        await _until(lambda: any("reachable again" in line for line in cache_log.lines))
    down = [line for line in cache_log.lines if "unreachable" in line]
    assert len(down) == 1, cache_log.lines
    assert sum("reachable again" in line for line in cache_log.lines) == 1
