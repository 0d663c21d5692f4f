"""Races: 20 concurrent identical writes end in one consistent state, never a 500."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import PASSWORD, Persona
from tests.security.conftest import count

pytestmark = pytest.mark.anyio

N = 20


def _no_server_errors(responses: list[Response]) -> None:
    failures = [(r.status_code, r.text) for r in responses if r.status_code >= 500]
    assert not failures


async def _favorites_count(client: AsyncClient, slug: str) -> int:
    response = await client.get(f"/api/articles/{slug}")
    value: int = response.json()["article"]["favoritesCount"]
    return value


async def test_concurrent_favorites_by_one_user_make_one_row(
    alice: Persona, bob: Persona, client: AsyncClient, db: AsyncEngine
) -> None:
    slug = (await alice.write())["slug"]
    responses = await asyncio.gather(
        *(bob.post(f"/api/articles/{slug}/favorite") for _ in range(N))
    )
    _no_server_errors(responses)
    assert {r.status_code for r in responses} == {200}
    assert await count(db, "favorites") == 1
    assert await _favorites_count(client, slug) == 1


async def test_concurrent_favorites_by_many_users_are_all_counted(
    alice: Persona, client: AsyncClient, db: AsyncEngine
) -> None:
    slug = (await alice.write())["slug"]
    fans = [await Persona.register(client, f"fan{i}") for i in range(N)]
    responses = await asyncio.gather(*(fan.post(f"/api/articles/{slug}/favorite") for fan in fans))
    _no_server_errors(responses)
    assert await count(db, "favorites") == N
    assert await _favorites_count(client, slug) == N
    undone = await asyncio.gather(*(fan.delete(f"/api/articles/{slug}/favorite") for fan in fans))
    _no_server_errors(undone)
    assert await count(db, "favorites") == 0
    assert await _favorites_count(client, slug) == 0


async def test_concurrent_follows_make_one_row(
    alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    responses = await asyncio.gather(*(bob.post("/api/profiles/alice/follow") for _ in range(N)))
    _no_server_errors(responses)
    assert {r.status_code for r in responses} == {200}
    assert await count(db, "follows") == 1


async def test_concurrent_registrations_with_one_username_make_one_user(
    client: AsyncClient, db: AsyncEngine
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/users",
                json={
                    "user": {
                        "username": "popular",
                        "email": f"p{i}@example.com",
                        "password": PASSWORD,
                    }
                },
            )
            for i in range(N)
        )
    )
    _no_server_errors(responses)
    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1)
    assert await count(db, "users", "username = 'popular'") == 1


async def test_concurrent_articles_with_one_title_get_distinct_slugs(
    alice: Persona, db: AsyncEngine
) -> None:
    payload = {
        "article": {
            "title": "Same title",
            "description": "d",
            "body": "b",
            "tagList": ["same", "tags"],
        }
    }
    responses = await asyncio.gather(*(alice.post("/api/articles", payload) for _ in range(N)))
    _no_server_errors(responses)
    assert {r.status_code for r in responses} == {201}
    slugs = {r.json()["article"]["slug"] for r in responses}
    assert len(slugs) == N
    assert await count(db, "articles") == N
    assert await count(db, "tags") == 2
    assert await count(db, "article_tags") == 2 * N


async def test_races_against_a_live_server_stay_consistent(
    live_server: str, db: AsyncEngine
) -> None:
    """The same races through `conduit serve` (its own process and event loop, real sockets)."""
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        registrations = await asyncio.gather(
            *(
                http.post(
                    "/api/users",
                    json={
                        "user": {
                            "username": "racer",
                            "email": f"r{i}@example.com",
                            "password": PASSWORD,
                        }
                    },
                )
                for i in range(N)
            )
        )
        _no_server_errors(registrations)
        assert sorted(r.status_code for r in registrations) == [201] + [409] * (N - 1)
        token = next(r for r in registrations if r.status_code == 201).json()["user"]["token"]
        auth = {"Authorization": f"Token {token}"}
        payload = {"article": {"title": "Live", "description": "d", "body": "b"}}
        articles = await asyncio.gather(
            *(http.post("/api/articles", json=payload, headers=auth) for _ in range(N))
        )
        _no_server_errors(articles)
        slugs = [r.json()["article"]["slug"] for r in articles]
        assert len(set(slugs)) == N
        favorites = await asyncio.gather(
            *(http.post(f"/api/articles/{slugs[0]}/favorite", headers=auth) for _ in range(N))
        )
        _no_server_errors(favorites)
        fetched = await http.get(f"/api/articles/{slugs[0]}")
        assert fetched.json()["article"]["favoritesCount"] == 1
    assert await count(db, "users", "username = 'racer'") == 1
    assert await count(db, "favorites") == 1
