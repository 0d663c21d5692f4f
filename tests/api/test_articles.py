"""Single articles: create, read, update, delete; slugs, timestamps, ownership."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, ArticleTag, Comment, Favorite
from tests.assertions import (
    article_id,
    assert_error,
    assert_invalid,
    assert_iso_utc,
    count_rows,
)
from tests.factories import Persona

pytestmark = pytest.mark.anyio


def draft(**changes: Any) -> dict[str, Any]:
    article = {"title": "Dragons", "description": "All about them", "body": "They fly."}
    article.update(changes)
    return {"article": article}


async def test_it_creates_an_article_with_201(alice: Persona) -> None:
    response = await alice.post("/api/articles", draft(tagList=["zoo", "dragons"]))
    assert response.status_code == 201
    article = response.json()["article"]
    assert article == {
        "slug": "dragons",
        "title": "Dragons",
        "description": "All about them",
        "body": "They fly.",
        "tagList": ["dragons", "zoo"],
        "createdAt": article["createdAt"],
        "updatedAt": article["createdAt"],
        "favorited": False,
        "favoritesCount": 0,
        "author": {"username": "alice", "bio": None, "image": None, "following": False},
    }
    assert_iso_utc(article["createdAt"])


async def test_what_create_returns_is_what_get_returns(client: AsyncClient, alice: Persona) -> None:
    created = (await alice.post("/api/articles", draft(tagList=["b", "a"]))).json()["article"]
    fetched = await client.get(f"/api/articles/{created['slug']}")
    assert fetched.status_code == 200
    assert fetched.json()["article"] == created


async def test_creating_needs_a_token(client: AsyncClient) -> None:
    assert_error(await client.post("/api/articles", json=draft()), 401, "token", "is missing")


@pytest.mark.parametrize("field", ["title", "description", "body"])
async def test_it_requires_title_description_and_body(alice: Persona, field: str) -> None:
    for value in ("", "   ", None):
        response = await alice.post("/api/articles", draft(**{field: value}))
        assert_error(response, 422, field, "can't be blank")
    missing = draft()
    del missing["article"][field]
    assert_error(await alice.post("/api/articles", missing), 422, field, "can't be blank")


async def test_it_rejects_tag_list_null_or_not_a_list(alice: Persona) -> None:
    assert_error(
        await alice.post("/api/articles", draft(tagList=None)), 422, "tagList", "can't be blank"
    )
    assert_error(
        await alice.post("/api/articles", draft(tagList="zzq")), 422, "tagList", "must be a list"
    )


async def test_validation_errors_never_echo_the_input(alice: Persona) -> None:
    marker = "zz-distinctive-zz"
    cases = [
        draft(title=marker * 30),
        draft(title=marker + "\x00"),
        draft(tagList=[marker] * 21),
        draft(tagList=[marker * 10]),
        draft(body=12345),
    ]
    for payload in cases:
        response = await alice.post("/api/articles", payload)
        assert response.status_code == 422, payload
        assert marker not in response.text
        assert "12345" not in response.text


async def test_tags_are_deduplicated_and_sorted(alice: Persona) -> None:
    tags = ["zoo", "dragons", "zoo", "Apple", "  spaced   out  ", ""]
    article = (await alice.post("/api/articles", draft(tagList=tags))).json()["article"]
    assert article["tagList"] == ["Apple", "dragons", "spaced out", "zoo"]


async def test_unknown_and_server_owned_fields_are_ignored(
    alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    forged = draft(
        id=424242,
        slug="my-own-slug",
        author={"username": "bob"},
        favoritesCount=99,
        favorited=True,
        createdAt="2001-01-01T00:00:00.000Z",
        updatedAt="2001-01-01T00:00:00.000Z",
    )
    article = (await alice.post("/api/articles", forged)).json()["article"]
    assert article["slug"] == "dragons"
    assert article["author"]["username"] == "alice"
    assert article["favoritesCount"] == 0
    assert article["favorited"] is False
    assert not article["createdAt"].startswith("2001")
    assert await article_id(db, "dragons") != 424242
    updated = await alice.put("/api/articles/dragons", forged)
    assert updated.status_code == 200
    after = updated.json()["article"]
    assert (after["slug"], after["author"]["username"], after["favoritesCount"]) == (
        "dragons",
        "alice",
        0,
    )
    assert after["createdAt"] == article["createdAt"]
    assert not after["updatedAt"].startswith("2001")


async def test_unknown_articles_are_404(client: AsyncClient, alice: Persona) -> None:
    assert_error(await client.get("/api/articles/nope"), 404, "article", "not found")
    assert_error(await alice.put("/api/articles/nope", draft()), 404, "article", "not found")
    assert_error(await alice.delete("/api/articles/nope"), 404, "article", "not found")


async def test_edit_moves_updated_at_but_not_created_at(alice: Persona) -> None:
    created = await alice.write()
    response = await alice.put(
        f"/api/articles/{created['slug']}", {"article": {"body": "New body"}}
    )
    edited = response.json()["article"]
    assert edited["body"] == "New body"
    assert edited["createdAt"] == created["createdAt"]
    assert edited["updatedAt"] > created["updatedAt"]
    assert_iso_utc(edited["updatedAt"])


async def test_partial_updates_keep_other_fields(alice: Persona) -> None:
    created = await alice.write(tags=["dragons"])
    response = await alice.put(
        f"/api/articles/{created['slug']}", {"article": {"description": "Short"}}
    )
    edited = response.json()["article"]
    assert edited["description"] == "Short"
    assert (edited["title"], edited["body"], edited["tagList"]) == (
        created["title"],
        created["body"],
        ["dragons"],
    )


async def test_put_tag_list_replaces_and_empty_clears(
    client: AsyncClient, alice: Persona, db: AsyncEngine
) -> None:
    slug = (await alice.write(tags=["a", "b"]))["slug"]
    replaced = await alice.put(f"/api/articles/{slug}", {"article": {"tagList": ["c", "a", "c"]}})
    assert replaced.json()["article"]["tagList"] == ["a", "c"]
    assert (await client.get("/api/articles", params={"tag": "b"})).json()["articlesCount"] == 0
    cleared = await alice.put(f"/api/articles/{slug}", {"article": {"tagList": []}})
    assert cleared.json()["article"]["tagList"] == []
    assert await count_rows(db, ArticleTag) == 0
    assert (await client.get(f"/api/articles/{slug}")).json()["article"]["tagList"] == []


@pytest.mark.parametrize("field", ["title", "description", "body", "tagList"])
async def test_put_null_is_refused(alice: Persona, field: str) -> None:
    slug = (await alice.write(tags=["a"]))["slug"]
    response = await alice.put(f"/api/articles/{slug}", {"article": {field: None}})
    assert_error(response, 422, field, "can't be blank")


async def test_someone_elses_article_cannot_be_edited(
    client: AsyncClient, alice: Persona, bob: Persona
) -> None:
    created = await alice.write(tags=["mine"])
    response = await bob.put(
        f"/api/articles/{created['slug']}", {"article": {"title": "Hijacked", "tagList": []}}
    )
    assert_error(response, 403, "article", "forbidden")
    unchanged = (await client.get(f"/api/articles/{created['slug']}")).json()["article"]
    assert unchanged == created


async def test_someone_elses_article_cannot_be_deleted(
    client: AsyncClient, alice: Persona, bob: Persona
) -> None:
    slug = (await alice.write())["slug"]
    assert_error(await bob.delete(f"/api/articles/{slug}"), 403, "article", "forbidden")
    assert (await client.get(f"/api/articles/{slug}")).status_code == 200


async def test_editing_and_deleting_need_a_token(client: AsyncClient, alice: Persona) -> None:
    slug = (await alice.write())["slug"]
    assert_error(
        await client.put(f"/api/articles/{slug}", json=draft()), 401, "token", "is missing"
    )
    assert_error(await client.delete(f"/api/articles/{slug}"), 401, "token", "is missing")


async def test_delete_answers_204_and_removes_dependents(
    client: AsyncClient, alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    doomed = (await alice.write(title="Doomed", tags=["x", "y"]))["slug"]
    kept = (await alice.write(title="Kept", tags=["x"]))["slug"]
    for slug in (doomed, kept):
        await bob.comment(slug)
        await bob.favorite(slug)
    doomed_id = await article_id(db, doomed)
    response = await alice.delete(f"/api/articles/{doomed}")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(await client.get(f"/api/articles/{doomed}"), 404, "article", "not found")
    for model in (Comment, Favorite, ArticleTag):
        assert await count_rows(db, model, article_id=doomed_id) == 0
    kept_id = await article_id(db, kept)
    assert await count_rows(db, Comment, article_id=kept_id) == 1
    assert await count_rows(db, Favorite, article_id=kept_id) == 1
    assert await count_rows(db, ArticleTag, article_id=kept_id) == 1


async def test_stored_timestamps_match_what_the_api_shows(alice: Persona, db: AsyncEngine) -> None:
    created = await alice.write()
    async with db.connect() as conn:
        stored = (await conn.execute(select(Article.created_at))).scalar_one()
    shown = created["createdAt"]
    assert stored.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stored.microsecond // 1000:03d}Z" == shown
    assert stored.microsecond % 1000 == 0


async def test_an_oversized_title_is_refused(alice: Persona) -> None:
    messages = assert_invalid(await alice.post("/api/articles", draft(title="t" * 256)), "title")
    assert messages == ["is too long (maximum is 255 characters)"]


@pytest.mark.parametrize("article", [{}, {"slug": "x", "favoritesCount": 3}])
async def test_an_update_with_nothing_to_change_is_refused(
    client: AsyncClient, alice: Persona, article: dict[str, Any]
) -> None:
    created = await alice.write()
    response = await alice.put(f"/api/articles/{created['slug']}", {"article": article})
    assert_error(response, 422, "article", "must contain at least one field")
    assert (await client.get(f"/api/articles/{created['slug']}")).json()["article"] == created
