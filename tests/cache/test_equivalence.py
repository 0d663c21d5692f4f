"""Every declared read answers the same bytes whichever way it is served: (a) the fast path (a
cached hit answered before FastAPI's routing), (b) the full stack with the fast path removed (the
cache still on), (c) the cache off — for random sequences of writes interleaved with reads,
anonymous and signed in (hypothesis).

Three application instances share one database: writes go through (a) or (b), so every cache
must also see the other instance's writes. On SQLite the entries live in each process and the
generations in the database; on PostgreSQL or MariaDB the generations live in Redis
(``CONDUIT_TEST_REDIS_URL``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.api.fastpath import CachedReads
from conduit.app import create_app
from conduit.settings import Settings
from tests.cache.conftest import flush_redis, redis_url
from tests.conftest import _empty_tables

pytestmark = pytest.mark.anyio

NAMES = ("alice", "bob", "carol")
TITLES = ("Dragons", "Tea", "Rust", "Owls")
WRITES = (
    "create",
    "update",
    "delete",
    "favorite",
    "unfavorite",
    "follow",
    "unfollow",
    "comment",
    "uncomment",
    "profile",
    "check",
)
STEP = st.tuples(
    st.sampled_from(WRITES),
    st.integers(0, 2),  # who acts
    st.integers(0, 7),  # which article, comment or person (modulo what exists)
    st.booleans(),  # which cached instance takes the write
)


@dataclass
class World:
    fast: AsyncClient  # (a)
    full: AsyncClient  # (b)
    plain: AsyncClient  # (c)
    tokens: dict[str, str] = field(default_factory=dict)
    slugs: list[str] = field(default_factory=list)
    comments: list[tuple[str, int, str]] = field(default_factory=list)  # slug, id, author
    serial: int = 0


def _is_fast_path(factory: object) -> bool:
    return isinstance(factory, type) and issubclass(factory, CachedReads)


def _instance(base: Settings, fast_path: bool, cache: bool) -> FastAPI:
    app = create_app(base.model_copy(update={"cache_enabled": cache}))
    if not fast_path:
        # Before the first request builds the middleware stack: the full stack answers all.
        app.user_middleware = [m for m in app.user_middleware if not _is_fast_path(m.cls)]
    return app


@asynccontextmanager
async def _world(base: Settings) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        clients = []
        for fast_path, cache in ((True, True), (False, True), (False, False)):
            app = _instance(base, fast_path, cache)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = ASGITransport(app=app, raise_app_exceptions=False)
            client = AsyncClient(transport=transport, base_url="http://testserver")
            clients.append(await stack.enter_async_context(client))
        world = World(clients[0], clients[1], clients[2])
        for name in NAMES:
            user = {"username": name, "email": f"{name}@example.com", "password": "dragon-tamer"}
            response = await world.fast.post("/api/users", json={"user": user})
            assert response.status_code == 201, response.text
            world.tokens[name] = response.json()["user"]["token"]
        yield world


def _headers(world: World, name: str | None) -> dict[str, str]:
    return {"Authorization": f"Token {world.tokens[name]}"} if name else {}


async def _write(world: World, step: tuple[str, int, int, bool]) -> None:
    kind, who, which, through_fast = step
    name = NAMES[who]
    client = world.fast if through_fast else world.full
    headers = _headers(world, name)
    slug = world.slugs[which % len(world.slugs)] if world.slugs else "missing"
    other = NAMES[which % len(NAMES)]
    world.serial += 1
    if kind == "create":
        title = f"{TITLES[which % len(TITLES)]} {world.serial}"
        article = {
            "title": title,
            "description": "d",
            "body": "b",
            "tagList": ["x", name][: 1 + which % 2],
        }
        response = await client.post("/api/articles", json={"article": article}, headers=headers)
        if response.status_code == 201:
            world.slugs.append(response.json()["article"]["slug"])
    elif kind == "update":
        change = {"title": f"{TITLES[who]} {world.serial}", "body": f"edited {world.serial}"}
        response = await client.put(
            f"/api/articles/{slug}", json={"article": change}, headers=headers
        )
        if response.status_code == 200:
            world.slugs[world.slugs.index(slug)] = response.json()["article"]["slug"]
            world.comments = [
                (response.json()["article"]["slug"] if s == slug else s, i, a)
                for s, i, a in world.comments
            ]
    elif kind == "delete":
        if (await client.delete(f"/api/articles/{slug}", headers=headers)).status_code == 204:
            world.slugs.remove(slug)
            world.comments = [c for c in world.comments if c[0] != slug]
    elif kind in ("favorite", "unfavorite"):
        path = f"/api/articles/{slug}/favorite"
        await (client.post if kind == "favorite" else client.delete)(path, headers=headers)
    elif kind in ("follow", "unfollow"):
        path = f"/api/profiles/{other}/follow"
        await (client.post if kind == "follow" else client.delete)(path, headers=headers)
    elif kind == "comment":
        body = {"comment": {"body": f"remark {world.serial}"}}
        response = await client.post(f"/api/articles/{slug}/comments", json=body, headers=headers)
        if response.status_code == 201:
            world.comments.append((slug, response.json()["comment"]["id"], name))
    elif kind == "uncomment" and world.comments:
        at, comment_id, author = world.comments[which % len(world.comments)]
        path = f"/api/articles/{at}/comments/{comment_id}"
        if (await client.delete(path, headers=_headers(world, author))).status_code == 204:
            world.comments.remove((at, comment_id, author))
    elif kind == "profile":
        change = {"bio": f"bio {world.serial}", "image": f"https://img.example/{world.serial}.png"}
        await client.put("/api/user", json={"user": change}, headers=headers)


def _reads(world: World) -> list[str]:
    paths = ["/api/tags", "/api/articles", "/api/articles?tag=x", "/api/articles?limit=1&offset=1"]
    paths += [f"/api/articles?author={n}" for n in NAMES[:2]]
    paths += ["/api/articles?favorited=bob", "/api/articles/feed", "/api/user"]
    for slug in [*world.slugs, "missing"]:
        paths += [f"/api/articles/{slug}", f"/api/articles/{slug}/comments"]
    if world.slugs:
        paths.append(f"/api/articles/{world.slugs[0]}/comments?limit=1&offset=1")
    paths += [f"/api/profiles/{n}" for n in (*NAMES, "nobody")]
    return paths


async def _check(world: World) -> None:
    for viewer in (None, "alice", "bob"):
        headers = _headers(world, viewer)
        for path in _reads(world):
            answers = []
            # Twice each cached instance: the second answer is a hit (on the fast path for (a)).
            for client in (world.fast, world.fast, world.full, world.full, world.plain):
                response = await client.get(path, headers=headers)
                answers.append((response.status_code, response.content))
            assert all(answer == answers[-1] for answer in answers), (viewer, path, answers)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=10))
async def test_fast_path_full_stack_and_no_cache_answer_the_same_bytes(
    settings: Settings, migrated: AsyncEngine, steps: list[tuple[str, int, int, bool]]
) -> None:
    await _empty_tables(migrated)
    base = settings
    if migrated.dialect.name != "sqlite":
        flush_redis()
        base = settings.model_copy(update={"redis_url": redis_url()})
    async with _world(base) as world:
        for step in steps:
            if step[0] == "check":
                await _check(world)
            else:
                await _write(world, step)
        await _check(world)
