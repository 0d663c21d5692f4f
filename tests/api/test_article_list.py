"""GET /api/articles and /api/articles/feed: filters, paging, order, counts."""

from __future__ import annotations

from datetime import datetime

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.articles.queries import WINDOW
from conduit.models import Article, ArticleTag, Tag, User
from tests.assertions import assert_error, assert_iso_utc
from tests.factories import Persona

pytestmark = pytest.mark.anyio


def slugs(response_json: dict[str, list[dict[str, str]]]) -> list[str]:
    return [article["slug"] for article in response_json["articles"]]


@pytest.fixture
async def library(alice: Persona, bob: Persona, carol: Persona) -> dict[str, str]:
    """alice: a1 (python), a2 (python, web); bob: b1 (web); carol favorites a1 and b1."""
    a1 = await alice.write(title="A1", tags=["python"])
    a2 = await alice.write(title="A2", tags=["python", "web"])
    b1 = await bob.write(title="B1", tags=["web"])
    await carol.favorite(a1["slug"])
    await carol.favorite(b1["slug"])
    return {"a1": a1["slug"], "a2": a2["slug"], "b1": b1["slug"]}


async def test_list_items_carry_no_body(client: AsyncClient, library: dict[str, str]) -> None:
    response = await client.get("/api/articles")
    assert response.status_code == 200
    for article in response.json()["articles"]:
        assert "body" not in article
        assert set(article) == {
            "slug",
            "title",
            "description",
            "tagList",
            "createdAt",
            "updatedAt",
            "favorited",
            "favoritesCount",
            "author",
        }
        assert_iso_utc(article["createdAt"])
        assert_iso_utc(article["updatedAt"])


async def test_an_empty_list(client: AsyncClient) -> None:
    response = await client.get("/api/articles")
    assert response.json() == {"articles": [], "articlesCount": 0}


async def test_newest_first(client: AsyncClient, library: dict[str, str]) -> None:
    response = await client.get("/api/articles")
    assert slugs(response.json()) == [library["b1"], library["a2"], library["a1"]]
    assert response.json()["articlesCount"] == 3


async def test_equal_timestamps_tie_break_newest_id_first(
    client: AsyncClient, library: dict[str, str], db: AsyncEngine
) -> None:
    async with db.begin() as conn:
        await conn.execute(update(Article).values(created_at=datetime(2026, 1, 1, 12)))
    first = slugs((await client.get("/api/articles")).json())
    assert first == [library["b1"], library["a2"], library["a1"]]
    paged = [
        slugs((await client.get("/api/articles", params={"limit": 1, "offset": i})).json())[0]
        for i in range(3)
    ]
    assert paged == first


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "python"}, ["a2", "a1"]),
        ({"tag": "web"}, ["b1", "a2"]),
        ({"tag": "nothing"}, []),
        ({"author": "alice"}, ["a2", "a1"]),
        ({"author": "carol"}, []),
        ({"author": "nobody"}, []),
        ({"favorited": "carol"}, ["b1", "a1"]),
        ({"favorited": "alice"}, []),
        ({"tag": "web", "author": "alice"}, ["a2"]),
        ({"tag": "python", "favorited": "carol"}, ["a1"]),
        ({"author": "bob", "favorited": "carol"}, ["b1"]),
        ({"tag": "web", "author": "bob", "favorited": "carol"}, ["b1"]),
        ({"tag": "python", "author": "bob"}, []),
    ],
)
async def test_filters_and_their_combinations(
    client: AsyncClient, library: dict[str, str], params: dict[str, str], expected: list[str]
) -> None:
    response = (await client.get("/api/articles", params=params)).json()
    assert slugs(response) == [library[name] for name in expected]
    assert response["articlesCount"] == len(expected)


async def test_filters_are_case_sensitive(client: AsyncClient, library: dict[str, str]) -> None:
    for params in ({"tag": "Python"}, {"author": "Alice"}, {"favorited": "Carol"}):
        assert (await client.get("/api/articles", params=params)).json()["articlesCount"] == 0


async def test_favorited_and_following_reflect_the_viewer(
    library: dict[str, str], alice: Persona, carol: Persona
) -> None:
    await carol.follow(alice)
    mine = {a["slug"]: a for a in (await carol.get("/api/articles")).json()["articles"]}
    assert mine[library["a1"]]["favorited"] is True
    assert mine[library["a2"]]["favorited"] is False
    assert mine[library["a1"]]["favoritesCount"] == 1
    assert mine[library["a1"]]["author"]["following"] is True
    assert mine[library["b1"]]["author"]["following"] is False
    theirs = (await alice.get("/api/articles")).json()["articles"]
    assert not any(article["favorited"] for article in theirs)


async def test_count_is_the_total_of_all_matches(client: AsyncClient, alice: Persona) -> None:
    for n in range(7):
        await alice.write(title=f"Post {n}", tags=["many"])
    first = (await client.get("/api/articles", params={"limit": 3})).json()
    assert len(first["articles"]) == 3
    assert first["articlesCount"] == 7
    last = (await client.get("/api/articles", params={"limit": 3, "offset": 6})).json()
    assert len(last["articles"]) == 1
    assert last["articlesCount"] == 7
    beyond = (await client.get("/api/articles", params={"tag": "many", "offset": 50})).json()
    assert beyond == {"articles": [], "articlesCount": 7}


async def test_pages_partition_the_list(client: AsyncClient, alice: Persona) -> None:
    for n in range(5):
        await alice.write(title=f"Post {n}")
    everything = slugs((await client.get("/api/articles")).json())
    pages = [
        slugs((await client.get("/api/articles", params={"limit": 2, "offset": o})).json())
        for o in (0, 2, 4)
    ]
    assert [slug for page in pages for slug in page] == everything


async def test_default_limit_is_20_and_maximum_100(client: AsyncClient, alice: Persona) -> None:
    for n in range(21):
        await alice.write(title=f"Post {n}")
    default = (await client.get("/api/articles")).json()
    assert len(default["articles"]) == 20
    assert default["articlesCount"] == 21
    widest = (await client.get("/api/articles", params={"limit": 100})).json()
    assert len(widest["articles"]) == 21


async def test_pages_inside_and_past_the_window_agree(
    client: AsyncClient, alice: Persona, db: AsyncEngine
) -> None:
    """On PostgreSQL first pages are read through a window of ``WINDOW`` rows, later ones by a
    plain ``OFFSET`` (articles/queries.py): both walk one order, ties included, and count alike.
    Elsewhere every page is read plainly; the same pages must come back."""
    many = WINDOW + 20
    async with db.begin() as conn:
        author = (await conn.execute(select(User.id).where(User.username == "alice"))).scalar()
        tag = (await conn.execute(insert(Tag).values(name="wide").returning(Tag.id))).scalar()
        for n in range(many):  # three articles per timestamp: ids break the ties
            moment = datetime(2026, 1, 1, 12, n // 3)
            article = await conn.execute(
                insert(Article)
                .values(
                    slug=f"p-{n}",
                    title=f"P {n}",
                    description="d",
                    body="b",
                    tag_list=["wide"] if n % 2 else [],
                    author_id=author,
                    created_at=moment,
                    updated_at=moment,
                )
                .returning(Article.id)
            )
            if n % 2:
                await conn.execute(
                    insert(ArticleTag).values(article_id=article.scalar(), tag_id=tag)
                )
    newest_first = [f"p-{n}" for n in reversed(range(many))]
    for params, expected in (({}, newest_first), ({"tag": "wide"}, newest_first[::2])):
        pages: list[str] = []
        for offset in range(0, many, 7):  # pages on both sides of the window and across it
            answer = (
                await client.get("/api/articles", params={**params, "limit": 7, "offset": offset})
            ).json()
            assert answer["articlesCount"] == len(expected)
            pages += slugs(answer)
        assert pages == expected
        for offset in (0, 1):  # the whole window, then one row past it
            answer = (
                await client.get(
                    "/api/articles", params={**params, "limit": WINDOW, "offset": offset}
                )
            ).json()
            assert slugs(answer) == expected[offset : offset + WINDOW]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("limit", "0", "must be greater than or equal to 1"),
        ("limit", "101", "must be less than or equal to 100"),
        ("limit", "-1", "must be greater than or equal to 1"),
        ("limit", "abc", "must be an integer"),
        ("limit", "1.5", "must be an integer"),
        ("limit", "", "must be an integer"),
        ("offset", "-1", "must be greater than or equal to 0"),
        ("offset", "abc", "must be an integer"),
        ("offset", str(2**31), "must be less than or equal to 2147483647"),
    ],
)
@pytest.mark.parametrize("path", ["/api/articles", "/api/articles/feed"])
async def test_bad_paging_is_422(
    alice: Persona, path: str, name: str, value: str, message: str
) -> None:
    response = await alice.get(path, params={name: value})
    assert_error(response, 422, name, message)


async def test_the_largest_offset_is_accepted(client: AsyncClient, alice: Persona) -> None:
    await alice.write()
    response = await client.get("/api/articles", params={"offset": 2**31 - 1})
    assert response.json() == {"articles": [], "articlesCount": 1}


async def test_feed_shows_only_followed_authors(
    library: dict[str, str], alice: Persona, bob: Persona, carol: Persona
) -> None:
    assert (await carol.get("/api/articles/feed")).json() == {"articles": [], "articlesCount": 0}
    await carol.follow(alice)
    feed = (await carol.get("/api/articles/feed")).json()
    assert slugs(feed) == [library["a2"], library["a1"]]
    assert feed["articlesCount"] == 2
    assert all(a["author"]["following"] and "body" not in a for a in feed["articles"])
    assert feed["articles"][1]["favorited"] is True
    await carol.follow(bob)
    assert (await carol.get("/api/articles/feed")).json()["articlesCount"] == 3
    await carol.delete("/api/profiles/alice/follow")
    assert slugs((await carol.get("/api/articles/feed")).json()) == [library["b1"]]


async def test_feed_pages_and_counts(alice: Persona, bob: Persona) -> None:
    await bob.follow(alice)
    for n in range(5):
        await alice.write(title=f"Post {n}")
    page = (await bob.get("/api/articles/feed", params={"limit": 2, "offset": 4})).json()
    assert len(page["articles"]) == 1
    assert page["articlesCount"] == 5


async def test_feed_needs_a_token(client: AsyncClient) -> None:
    assert_error(await client.get("/api/articles/feed"), 401, "token", "is missing")


async def test_an_overlong_filter_is_422(client: AsyncClient) -> None:
    response = await client.get("/api/articles", params={"tag": "zzq" * 100})
    assert_error(response, 422, "tag", "is too long (maximum is 255 characters)")
    assert "zzq" not in response.text


@pytest.mark.parametrize("name", ["tag", "author", "favorited"])
async def test_an_empty_filter_matches_nothing(
    client: AsyncClient, library: dict[str, str], name: str
) -> None:
    # Present but empty is a filter for "", which no tag or user has: not "no filter".
    response = await client.get("/api/articles", params={name: ""})
    assert response.json() == {"articles": [], "articlesCount": 0}
