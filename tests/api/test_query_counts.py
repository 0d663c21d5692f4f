"""Constant SQL per request: no statement per item, and few statements in all.

Each list is measured with a page of 1 item and a page of 20 from the same data, so the only
difference is how many rows come back. Every article is favorited by the viewer and every author
followed, so that favorite and follow state are part of what is measured.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from httpx import AsyncClient, Response

from tests.conftest import StatementCounter
from tests.factories import Persona

# The database path: with the read cache, statements depend on what earlier reads cached
# (tests/cache/test_statement_counts.py bounds the cached path).
pytestmark = [pytest.mark.anyio, pytest.mark.uncached]

# Authentication (1) + the page with its total count (1: the count is a scalar subquery).
LIST_BOUND = 2
# Authentication (1) + the article with its author and viewer state (1).
ARTICLE_BOUND = 2
# Authentication (1) + the article LEFT JOINed to its comments and their authors (1).
COMMENTS_BOUND = 2

# More than a page for every filter measured below, so each page of 20 is full.
ARTICLES = 30


@pytest.fixture
async def busy(alice: Persona, bob: Persona, carol: Persona) -> list[str]:
    """30 articles (24 by alice, 6 by bob), tagged, each favorited by carol, who follows both."""
    await carol.follow(alice)
    await carol.follow(bob)
    slugs = []
    for n in range(ARTICLES):
        author = bob if n % 5 == 0 else alice
        slug = (await author.write(title=f"Post {n}", tags=["common", f"t{n}"]))["slug"]
        await carol.favorite(slug)
        slugs.append(slug)
    return slugs


Getter = Callable[[str], Awaitable[Response]]


async def measure(sql: StatementCounter, get: Getter, path: str) -> int:
    """How many statements the app runs to answer GET ``path``."""
    sql.reset()
    response = await get(path)
    assert response.status_code == 200, response.text
    return sql.count


@pytest.mark.parametrize(
    ("path", "authenticated"),
    [
        ("/api/articles", False),
        ("/api/articles", True),
        ("/api/articles/feed", True),
        ("/api/articles?tag=common", True),
        ("/api/articles?author=alice", True),
        ("/api/articles?favorited=carol", True),
    ],
)
async def test_a_list_costs_the_same_for_1_item_as_for_20(
    client: AsyncClient,
    carol: Persona,
    busy: list[str],
    sql: StatementCounter,
    path: str,
    authenticated: bool,
) -> None:
    get: Getter = carol.get if authenticated else client.get
    joiner = "&" if "?" in path else "?"
    counts = {size: await measure(sql, get, f"{path}{joiner}limit={size}") for size in (1, 20)}
    assert counts[1] == counts[20], sql.statements
    assert counts[20] <= LIST_BOUND, sql.statements


async def test_a_page_carries_its_count_and_only_a_page_past_the_end_counts_apart(
    carol: Persona, busy: list[str], sql: StatementCounter
) -> None:
    assert await measure(sql, carol.get, "/api/articles?tag=t3") == LIST_BOUND, sql.statements
    # No row to carry the count: one more statement counts.
    past = await measure(sql, carol.get, "/api/articles?limit=20&offset=1000")
    assert past == LIST_BOUND + 1, sql.statements
    response = await carol.get("/api/articles?limit=20&offset=1000")
    assert response.json() == {"articles": [], "articlesCount": ARTICLES}


async def test_an_article_costs_a_fixed_number_of_statements(
    client: AsyncClient, carol: Persona, busy: list[str], sql: StatementCounter
) -> None:
    path = f"/api/articles/{busy[0]}"
    assert await measure(sql, carol.get, path) <= ARTICLE_BOUND
    assert await measure(sql, client.get, path) <= ARTICLE_BOUND - 1


@pytest.mark.parametrize("authenticated", [False, True])
async def test_comments_cost_the_same_for_1_as_for_20(
    client: AsyncClient,
    alice: Persona,
    bob: Persona,
    carol: Persona,
    sql: StatementCounter,
    authenticated: bool,
) -> None:
    await carol.follow(alice)
    one = (await alice.write(title="One comment"))["slug"]
    many = (await alice.write(title="Twenty comments"))["slug"]
    await bob.comment(one)
    for n in range(20):
        await (alice if n % 2 else bob).comment(many, f"Comment {n}")
    get: Getter = carol.get if authenticated else client.get
    counts = [await measure(sql, get, f"/api/articles/{slug}/comments") for slug in (one, many)]
    assert counts[0] == counts[1], sql.statements
    assert counts[1] <= COMMENTS_BOUND - (0 if authenticated else 1), sql.statements
