"""``articlesCount`` stays exact where it is read from maintained counts (migration 0004's
triggers) instead of counting every matching article."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, User, utcnow
from tests.factories import Persona

# On the database path: a cached list would not show whether the count query is right.
pytestmark = [pytest.mark.anyio, pytest.mark.uncached]


async def _count(persona: Persona, path: str) -> int:
    # limit=1: the page is never the whole result, so the total is always counted.
    response = await persona.get(path + ("&" if "?" in path else "?") + "limit=1")
    assert response.status_code == 200, response.text
    count: int = response.json()["articlesCount"]
    return count


async def _counts(carol: Persona) -> tuple[int, ...]:
    paths = (
        "/api/articles",
        "/api/articles?author=alice",
        "/api/articles?author=bob",
        "/api/articles?author=nobody",
        "/api/articles/feed",
        "/api/articles?tag=red",
        "/api/articles?tag=red&author=alice",
    )
    return tuple([await _count(carol, path) for path in paths])


async def test_it_counts_exactly_through_creates_and_deletes(
    alice: Persona, bob: Persona, carol: Persona
) -> None:
    await carol.follow(alice)
    slugs = [
        (await alice.write(title=f"Alice {n}", tags=["red"] if n % 2 else ["blue"]))["slug"]
        for n in range(5)
    ]
    await bob.write(title="Bob 1", tags=["red"])
    await bob.write(title="Bob 2")
    # all, alice, bob, nobody, carol's feed (alice), tag red, red by alice
    assert await _counts(carol) == (7, 5, 2, 0, 5, 3, 2)

    assert (await alice.delete(f"/api/articles/{slugs[1]}")).status_code == 204  # a red one
    assert await _counts(carol) == (6, 4, 2, 0, 4, 2, 1)
    # Retagged: blue → red and back (the links are replaced, the counts follow).
    retag = {"article": {"tagList": ["red", "green"]}}
    assert (await alice.put(f"/api/articles/{slugs[0]}", retag)).status_code == 200
    assert await _count(carol, "/api/articles?tag=red") == 3
    assert await _count(carol, "/api/articles?tag=green") == 1
    retag = {"article": {"tagList": ["blue"]}}
    assert (await alice.put(f"/api/articles/{slugs[0]}", retag)).status_code == 200
    assert await _count(carol, "/api/articles?tag=red") == 2
    await carol.follow(bob)
    assert await _count(carol, "/api/articles/feed") == 6

    for slug in slugs:  # every one of alice's, the deleted one answering 404
        await alice.delete(f"/api/articles/{slug}")
    assert await _counts(carol) == (2, 0, 2, 0, 2, 1, 0)


async def test_it_counts_articles_written_by_sql_outside_the_api(
    alice: Persona, carol: Persona, db: AsyncEngine
) -> None:
    await carol.follow(alice)
    await alice.write(title="Through the API")
    async with db.begin() as conn:
        alice_id = (await conn.execute(select(User.id).where(User.username == "alice"))).scalar()
        now = utcnow()
        rows: list[dict[str, object]] = [
            {
                "slug": f"by-sql-{n}",
                "title": f"By SQL {n}",
                "description": "d",
                "body": "b",
                "tag_list": [],
                "favorites_count": 0,
                "author_id": alice_id,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(3)
        ]
        await conn.execute(insert(Article), rows)  # one statement, several rows
    assert await _count(carol, "/api/articles") == 4
    assert await _count(carol, "/api/articles?author=alice") == 4
    assert await _count(carol, "/api/articles/feed") == 4
    async with db.begin() as conn:
        await conn.execute(delete(Article).where(Article.slug.like("by-sql-%")))
    assert await _count(carol, "/api/articles") == 1
    assert await _count(carol, "/api/articles/feed") == 1
