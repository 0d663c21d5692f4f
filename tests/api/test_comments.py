"""Comments: GET/POST /api/articles/{slug}/comments and DELETE .../comments/{id}."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Comment
from tests.assertions import assert_error, assert_iso_utc, count_rows
from tests.factories import Persona

pytestmark = pytest.mark.anyio


@pytest.fixture
async def slug(alice: Persona) -> str:
    return str((await alice.write(title="Dragons"))["slug"])


async def test_adding_a_comment_answers_201(bob: Persona, slug: str) -> None:
    response = await bob.post(f"/api/articles/{slug}/comments", {"comment": {"body": "Great"}})
    assert response.status_code == 201
    comment = response.json()["comment"]
    assert comment == {
        "id": comment["id"],
        "createdAt": comment["createdAt"],
        "updatedAt": comment["createdAt"],
        "body": "Great",
        "author": {"username": "bob", "bio": None, "image": None, "following": False},
    }
    assert isinstance(comment["id"], int)
    assert_iso_utc(comment["createdAt"])


async def test_comments_list_newest_first_for_anyone(
    client: AsyncClient, alice: Persona, bob: Persona, slug: str
) -> None:
    first = await bob.comment(slug, "First")
    second = await alice.comment(slug, "Second")
    response = await client.get(f"/api/articles/{slug}/comments")
    assert response.status_code == 200
    assert response.json() == {"comments": [second, first]}


async def test_the_list_shows_whether_the_viewer_follows_each_author(
    alice: Persona, bob: Persona, carol: Persona, slug: str
) -> None:
    await bob.comment(slug, "From bob")
    await carol.comment(slug, "From carol")
    await alice.follow(bob)
    comments = (await alice.get(f"/api/articles/{slug}/comments")).json()["comments"]
    following = {c["author"]["username"]: c["author"]["following"] for c in comments}
    assert following == {"bob": True, "carol": False}


async def test_comments_belong_to_their_article(
    client: AsyncClient, alice: Persona, bob: Persona, slug: str
) -> None:
    other = (await alice.write(title="Other"))["slug"]
    await bob.comment(slug, "Here")
    assert (await client.get(f"/api/articles/{other}/comments")).json() == {"comments": []}


async def test_an_empty_comment_is_refused(bob: Persona, slug: str) -> None:
    for body in ("", "   ", None):
        response = await bob.post(f"/api/articles/{slug}/comments", {"comment": {"body": body}})
        assert_error(response, 422, "body", "can't be blank")
    response = await bob.post(f"/api/articles/{slug}/comments", {"comment": {}})
    assert_error(response, 422, "body", "can't be blank")
    response = await bob.post(f"/api/articles/{slug}/comments", {})
    assert_error(response, 422, "comment", "can't be blank")


async def test_a_too_long_comment_is_refused_without_echo(bob: Persona, slug: str) -> None:
    body = "zzq" * 4000
    response = await bob.post(f"/api/articles/{slug}/comments", {"comment": {"body": body}})
    assert_error(response, 422, "body", "is too long (maximum is 10000 characters)")
    assert "zzq" not in response.text


async def test_comments_on_an_unknown_article_are_404(client: AsyncClient, bob: Persona) -> None:
    assert_error(await client.get("/api/articles/nope/comments"), 404, "article", "not found")
    response = await bob.post("/api/articles/nope/comments", {"comment": {"body": "Hi"}})
    assert_error(response, 404, "article", "not found")
    assert_error(await bob.delete("/api/articles/nope/comments/1"), 404, "article", "not found")


async def test_commenting_needs_a_token(client: AsyncClient, slug: str) -> None:
    response = await client.post(f"/api/articles/{slug}/comments", json={"comment": {"body": "x"}})
    assert_error(response, 401, "token", "is missing")
    assert_error(
        await client.delete(f"/api/articles/{slug}/comments/1"), 401, "token", "is missing"
    )


async def test_the_author_deletes_with_204(
    client: AsyncClient, bob: Persona, slug: str, db: AsyncEngine
) -> None:
    comment = await bob.comment(slug)
    response = await bob.delete(f"/api/articles/{slug}/comments/{comment['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/api/articles/{slug}/comments")).json() == {"comments": []}
    assert await count_rows(db, Comment) == 0


async def test_nobody_else_may_delete_a_comment(
    client: AsyncClient, alice: Persona, carol: Persona, bob: Persona, slug: str
) -> None:
    comment = await bob.comment(slug)
    # Not even the article's author: a comment belongs to whoever wrote it.
    for persona in (alice, carol):
        response = await persona.delete(f"/api/articles/{slug}/comments/{comment['id']}")
        assert_error(response, 403, "comment", "forbidden")
    assert (await client.get(f"/api/articles/{slug}/comments")).json() == {"comments": [comment]}


async def test_deleting_a_missing_comment_is_404(alice: Persona, bob: Persona, slug: str) -> None:
    comment = await bob.comment(slug)
    other = (await alice.write(title="Other"))["slug"]
    wrong_article = await bob.delete(f"/api/articles/{other}/comments/{comment['id']}")
    assert_error(wrong_article, 404, "comment", "not found")
    await bob.delete(f"/api/articles/{slug}/comments/{comment['id']}")
    again = await bob.delete(f"/api/articles/{slug}/comments/{comment['id']}")
    assert_error(again, 404, "comment", "not found")


@pytest.mark.parametrize("comment_id", ["abc", "0", "-3", "1.5", str(2**63)])
async def test_a_bad_comment_id_is_422(bob: Persona, slug: str, comment_id: str) -> None:
    response = await bob.delete(f"/api/articles/{slug}/comments/{comment_id}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["id"]


async def test_unknown_fields_are_ignored(bob: Persona, slug: str) -> None:
    forged = {"comment": {"body": "Real", "id": 4242, "author": {"username": "alice"}}}
    comment = (await bob.post(f"/api/articles/{slug}/comments", forged)).json()["comment"]
    assert comment["id"] != 4242
    assert comment["author"]["username"] == "bob"


async def test_the_largest_comment_id_is_simply_not_found(bob: Persona, slug: str) -> None:
    response = await bob.delete(f"/api/articles/{slug}/comments/{2**63 - 1}")
    assert_error(response, 404, "comment", "not found")
