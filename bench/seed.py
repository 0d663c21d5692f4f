"""Seeds a live server through its public API, with some concurrency."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "bench-password-123"  # noqa: S105
TAGS = [f"tag{n}" for n in range(20)]
WORDS = [
    *("python", "fastapi", "async", "database", "cache", "latency", "throughput", "index"),
    *("query", "token", "article", "profile", "comment", "favorite", "follow", "markdown"),
    *("render", "server", "worker", "event", "loop"),
]


@dataclass
class World:
    users: list[dict[str, Any]] = field(default_factory=list)  # username, email, token
    slugs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=lambda: list(TAGS))
    favorites: set[tuple[str, str]] = field(default_factory=set)  # (username, slug) seeded


@dataclass(frozen=True)
class Size:
    users: int = 50
    follows: int = 10
    articles: int = 500
    comments: int = 2000
    favorites: int = 20


SMOKE = Size(users=6, follows=2, articles=12, comments=20, favorites=3)


def markdown(rng: random.Random, size: int = 2000) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        if rng.random() < 0.15:
            piece = f"\n\n## {' '.join(rng.choices(WORDS, k=3)).title()}\n\n"
        else:
            piece = " ".join(rng.choices(WORDS, k=12)) + ". "
        parts.append(piece)
        length += len(piece)
    return "".join(parts)[:size]


async def _gather(limit: int, jobs: Iterable[Callable[[], Awaitable[None]]]) -> None:
    gate = asyncio.Semaphore(limit)

    async def run(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(run(job) for job in jobs))


async def seed(base: str, size: Size, concurrency: int = 16, rng_seed: int = 7) -> World:
    rng = random.Random(rng_seed)
    world = World()
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def call(method: str, path: str, token: str | None, body: Any = None) -> Any:
            headers = {"Authorization": f"Token {token}"} if token else {}
            response = await http.request(method, path, json=body, headers=headers)
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
            return response.json() if response.content else None

        def register(n: int) -> Callable[[], Awaitable[None]]:
            async def job() -> None:
                user = {
                    "username": f"user{n}",
                    "email": f"user{n}@bench.test",
                    "password": PASSWORD,
                }
                body = await call("POST", "/api/users", None, {"user": user})
                world.users.append({**user, "token": body["user"]["token"]})

            return job

        await _gather(concurrency, [register(n) for n in range(size.users)])
        world.users.sort(key=lambda u: int(u["username"][4:]))
        users = world.users

        def follow(user: dict[str, Any], other: dict[str, Any]) -> Callable[[], Awaitable[None]]:
            async def job() -> None:
                await call("POST", f"/api/profiles/{other['username']}/follow", user["token"])

            return job

        jobs = []
        for user in users:
            others = [u for u in users if u is not user]
            jobs += [follow(user, o) for o in rng.sample(others, min(size.follows, len(others)))]
        await _gather(concurrency, jobs)

        def write(n: int) -> Callable[[], Awaitable[None]]:
            author = users[n % len(users)]
            article = {
                "title": f"{' '.join(rng.choices(WORDS, k=4)).title()} {n}",
                "description": " ".join(rng.choices(WORDS, k=10)),
                "body": markdown(rng),
                "tagList": rng.sample(TAGS, rng.randint(1, 4)),
            }

            async def job() -> None:
                body = await call("POST", "/api/articles", author["token"], {"article": article})
                world.slugs.append(body["article"]["slug"])

            return job

        # Sequential per batch keeps creation order (and so list order) deterministic enough.
        await _gather(concurrency, [write(n) for n in range(size.articles)])

        def comment(n: int) -> Callable[[], Awaitable[None]]:
            author, slug = rng.choice(users), rng.choice(world.slugs)
            text = " ".join(rng.choices(WORDS, k=rng.randint(5, 30)))

            async def job() -> None:
                path = f"/api/articles/{slug}/comments"
                await call("POST", path, author["token"], {"comment": {"body": text}})

            return job

        await _gather(concurrency, [comment(n) for n in range(size.comments)])

        def favorite(user: dict[str, Any], slug: str) -> Callable[[], Awaitable[None]]:
            async def job() -> None:
                await call("POST", f"/api/articles/{slug}/favorite", user["token"])

            return job

        jobs = []
        for user in users:
            chosen = rng.sample(world.slugs, size.favorites)
            world.favorites.update((user["username"], s) for s in chosen)
            jobs += [favorite(user, s) for s in chosen]
        await _gather(concurrency, jobs)
    return world
