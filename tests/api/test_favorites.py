"""Favorites: POST/DELETE /api/articles/{slug}/favorite and the counter they keep."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Favorite
from tests.assertions import assert_error, count_rows
from tests.factories import Persona

pytestmark = pytest.mark.anyio


@pytest.fixture
async def slug(alice: Persona) -> str:
    return str((await alice.write(title="Dragons"))["slug"])


async def test_favoriting_returns_the_full_article(bob: Persona, slug: str) -> None:
    response = await bob.post(f"/api/articles/{slug}/favorite")
    assert response.status_code == 200
    article = response.json()["article"]
    assert article["favorited"] is True
    assert article["favoritesCount"] == 1
    assert article["body"] == "It takes a Jacobian"
    assert article["author"]["username"] == "alice"


async def test_favorite_is_idempotent(bob: Persona, slug: str, db: AsyncEngine) -> None:
    await bob.favorite(slug)
    again = await bob.favorite(slug)
    assert (again["favorited"], again["favoritesCount"]) == (True, 1)
    assert await count_rows(db, Favorite) == 1


async def test_unfavorite_is_idempotent(bob: Persona, slug: str, db: AsyncEngine) -> None:
    await bob.favorite(slug)
    for _ in range(2):
        response = await bob.delete(f"/api/articles/{slug}/favorite")
        assert response.status_code == 200
        article = response.json()["article"]
        assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert await count_rows(db, Favorite) == 0


async def test_unfavoriting_what_was_never_favorited_keeps_the_count(
    alice: Persona, bob: Persona, slug: str
) -> None:
    await alice.favorite(slug)
    response = await bob.delete(f"/api/articles/{slug}/favorite")
    assert response.json()["article"]["favoritesCount"] == 1


async def test_the_count_sums_every_reader(
    client: AsyncClient, alice: Persona, bob: Persona, carol: Persona, slug: str
) -> None:
    for persona in (alice, bob, carol):
        await persona.favorite(slug)
    await bob.delete(f"/api/articles/{slug}/favorite")
    article = (await client.get(f"/api/articles/{slug}")).json()["article"]
    assert (article["favorited"], article["favoritesCount"]) == (False, 2)
    assert (await carol.get(f"/api/articles/{slug}")).json()["article"]["favorited"] is True
    assert (await bob.get(f"/api/articles/{slug}")).json()["article"]["favorited"] is False


async def test_favoriting_an_unknown_article_is_404(bob: Persona) -> None:
    assert_error(await bob.post("/api/articles/nope/favorite"), 404, "article", "not found")
    assert_error(await bob.delete("/api/articles/nope/favorite"), 404, "article", "not found")


async def test_favoriting_needs_a_token(client: AsyncClient, slug: str) -> None:
    assert_error(await client.post(f"/api/articles/{slug}/favorite"), 401, "token", "is missing")
    assert_error(await client.delete(f"/api/articles/{slug}/favorite"), 401, "token", "is missing")


async def test_concurrent_favorites_keep_an_exact_count(
    client: AsyncClient, alice: Persona, bob: Persona, carol: Persona, slug: str, db: AsyncEngine
) -> None:
    readers = [alice, bob, carol] * 3
    responses = await asyncio.gather(*(p.post(f"/api/articles/{slug}/favorite") for p in readers))
    assert {response.status_code for response in responses} == {200}
    assert await count_rows(db, Favorite) == 3
    assert (await client.get(f"/api/articles/{slug}")).json()["article"]["favoritesCount"] == 3
    responses = await asyncio.gather(*(p.delete(f"/api/articles/{slug}/favorite") for p in readers))
    assert {response.status_code for response in responses} == {200}
    assert (await client.get(f"/api/articles/{slug}")).json()["article"]["favoritesCount"] == 0
