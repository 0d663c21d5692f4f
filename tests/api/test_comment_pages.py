"""Comment lists are bounded: the API pages them (limit/offset, and a default page large enough
for clients that send nothing). The article page's paging: tests/web/test_comment_pages.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, Comment, User, utcnow
from conduit.reads.catalog import DEFAULT_COMMENTS, MAX_COMMENTS
from tests.assertions import assert_error
from tests.conftest import StatementCounter
from tests.factories import Persona

pytestmark = pytest.mark.anyio

MANY = 1_500


async def long_thread(db: AsyncEngine, alice: Persona, bob: Persona, count: int) -> str:
    """An article by alice with comments "Comment 0" (the oldest) to "Comment {count}" by bob.
    All but the last are bulk-inserted (1 500 requests would only measure the test's patience);
    the last is posted, which announces the change to the cache like any comment."""
    article = await alice.write(title=f"Busy {count}")
    start = utcnow() - timedelta(seconds=count + 1)
    async with db.begin() as conn:
        article_id = (
            await conn.execute(select(Article.id).where(Article.slug == article["slug"]))
        ).scalar_one()
        author_id = (
            await conn.execute(select(User.id).where(User.username == bob.username))
        ).scalar_one()
        await conn.execute(
            insert(Comment),
            [
                {
                    "body": f"Comment {n}",
                    "article_id": article_id,
                    "author_id": author_id,
                    "created_at": start + timedelta(seconds=n),
                    "updated_at": start + timedelta(seconds=n),
                }
                for n in range(count)
            ],
        )
    await bob.comment(article["slug"], f"Comment {count}")
    return str(article["slug"])


def _bodies(response_json: dict[str, list[dict[str, object]]]) -> list[object]:
    return [c["body"] for c in response_json["comments"]]


async def test_a_long_thread_answers_one_bounded_page_newest_first(
    client: AsyncClient, alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    slug = await long_thread(db, alice, bob, MANY)
    plain = await client.get(f"/api/articles/{slug}/comments")
    assert plain.status_code == 200
    bodies = _bodies(plain.json())
    assert len(bodies) == DEFAULT_COMMENTS
    assert bodies[:2] == [f"Comment {MANY}", f"Comment {MANY - 1}"]
    assert len(plain.content) < 40_000
    widest = await client.get(f"/api/articles/{slug}/comments", params={"limit": MAX_COMMENTS})
    assert len(_bodies(widest.json())) == MAX_COMMENTS
    last = await client.get(f"/api/articles/{slug}/comments", params={"limit": 3, "offset": MANY})
    assert _bodies(last.json()) == ["Comment 0"]
    beyond = await client.get(f"/api/articles/{slug}/comments", params={"offset": MANY + 1})
    assert beyond.json() == {"comments": []}


async def test_comment_paging_refuses_what_is_out_of_bounds(
    client: AsyncClient, alice: Persona
) -> None:
    slug = (await alice.write())["slug"]
    path = f"/api/articles/{slug}/comments"
    too_many = await client.get(path, params={"limit": MAX_COMMENTS + 1})
    assert_error(too_many, 422, "limit", f"must be less than or equal to {MAX_COMMENTS}")
    too_few = await client.get(path, params={"limit": 0})
    assert_error(too_few, 422, "limit", "must be greater than or equal to 1")
    negative = await client.get(path, params={"offset": -1})
    assert_error(negative, 422, "offset", "must be greater than or equal to 0")


# The database path (tests/cache/test_statement_counts.py bounds the cached one).
@pytest.mark.uncached
async def test_a_page_of_comments_costs_the_same_for_2_as_for_1_500(
    client: AsyncClient, alice: Persona, bob: Persona, db: AsyncEngine, sql: StatementCounter
) -> None:
    short = await long_thread(db, alice, bob, 1)
    long = await long_thread(db, alice, bob, MANY)
    counts = []
    for slug in (short, long):
        sql.reset()
        assert (await client.get(f"/api/articles/{slug}/comments")).status_code == 200
        counts.append(sql.count)
    assert counts[0] == counts[1], sql.statements
