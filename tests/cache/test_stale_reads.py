"""A write is visible in the very next read of every cached entry it affects."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import Persona

pytestmark = pytest.mark.anyio


async def _warm(reader: Persona | AsyncClient, path: str) -> Any:
    """Reads twice, so the second answer comes from the cache."""
    get = reader.get
    await get(path)
    response = await get(path)
    return response


def _slugs(response: Any) -> list[str]:
    return [a["slug"] for a in response.json()["articles"]]


async def test_a_new_article_shows_in_cached_lists_tags_and_feeds(
    alice: Persona, bob: Persona, client: AsyncClient
) -> None:
    await bob.follow(alice)
    for path in ("/api/articles", "/api/tags", "/api/articles?author=alice", "/api/articles?tag=x"):
        await _warm(client, path)
    await _warm(bob, "/api/articles/feed")
    article = await alice.write(tags=["x"])
    assert _slugs(await client.get("/api/articles")) == [article["slug"]]
    assert _slugs(await client.get("/api/articles?author=alice")) == [article["slug"]]
    assert _slugs(await client.get("/api/articles?tag=x")) == [article["slug"]]
    assert (await client.get("/api/tags")).json() == {"tags": ["x"]}
    assert _slugs(await bob.get("/api/articles/feed")) == [article["slug"]]


async def test_an_edit_shows_in_the_cached_article_lists_and_tags(
    alice: Persona, client: AsyncClient
) -> None:
    old = await alice.write(title="Old title", tags=["before"])
    for path in (f"/api/articles/{old['slug']}", "/api/articles", "/api/tags"):
        await _warm(client, path)
    changes = {"title": "New title", "body": "New body", "tagList": ["after"]}
    response = await alice.put(f"/api/articles/{old['slug']}", {"article": changes})
    new = response.json()["article"]
    assert (await client.get(f"/api/articles/{old['slug']}")).status_code == 404
    shown = (await client.get(f"/api/articles/{new['slug']}")).json()["article"]
    assert (shown["title"], shown["body"], shown["tagList"]) == ("New title", "New body", ["after"])
    listed = (await client.get("/api/articles")).json()["articles"][0]
    assert (listed["slug"], listed["title"]) == (new["slug"], "New title")
    assert (await client.get("/api/tags")).json() == {"tags": ["after"]}
    assert _slugs(await client.get("/api/articles?tag=before")) == []


async def test_a_deleted_article_leaves_every_cached_read(
    alice: Persona, bob: Persona, client: AsyncClient
) -> None:
    article = await alice.write(tags=["gone"])
    await bob.comment(article["slug"])
    paths = [f"/api/articles/{article['slug']}", f"/api/articles/{article['slug']}/comments"]
    for path in [*paths, "/api/articles", "/api/tags"]:
        await _warm(client, path)
        await _warm(bob, path)
    assert (await alice.delete(f"/api/articles/{article['slug']}")).status_code == 204
    for path in paths:
        assert (await client.get(path)).status_code == 404
        assert (await bob.get(path)).status_code == 404
    assert (await client.get("/api/articles")).json() == {"articles": [], "articlesCount": 0}
    assert (await client.get("/api/tags")).json() == {"tags": []}


async def test_favorites_change_counts_for_all_and_the_flag_only_for_the_favoriter(
    alice: Persona, bob: Persona, carol: Persona, client: AsyncClient
) -> None:
    slug = (await alice.write())["slug"]
    path = f"/api/articles/{slug}"
    readers: list[Any] = [client, bob, carol]
    for reader in readers:
        await _warm(reader, path)
        await _warm(reader, "/api/articles")
        await _warm(reader, "/api/articles?favorited=bob")
    await bob.favorite(slug)
    for reader, mine in ((client, False), (bob, True), (carol, False)):
        for shown in (
            (await reader.get(path)).json()["article"],
            (await reader.get("/api/articles")).json()["articles"][0],
            (await reader.get("/api/articles?favorited=bob")).json()["articles"][0],
        ):
            assert (shown["favoritesCount"], shown["favorited"]) == (1, mine)
    assert (await bob.delete(f"/api/articles/{slug}/favorite")).status_code == 200
    for reader in readers:
        shown = (await reader.get(path)).json()["article"]
        assert (shown["favoritesCount"], shown["favorited"]) == (0, False)
        assert _slugs(await reader.get("/api/articles?favorited=bob")) == []


async def test_following_changes_only_the_followers_view(
    alice: Persona, bob: Persona, carol: Persona, client: AsyncClient
) -> None:
    slug = (await alice.write())["slug"]
    await carol.comment(slug)
    await alice.comment(slug)
    readers: list[Any] = [bob, carol, client]
    paths = ["/api/profiles/alice", f"/api/articles/{slug}", "/api/articles"]
    comments = f"/api/articles/{slug}/comments"
    for reader in readers:
        for path in [*paths, comments]:
            await _warm(reader, path)
    await _warm(bob, "/api/articles/feed")
    await bob.follow(alice)

    async def following(reader: Any) -> list[bool]:
        profile = (await reader.get(paths[0])).json()["profile"]
        article = (await reader.get(paths[1])).json()["article"]
        listed = (await reader.get(paths[2])).json()["articles"][0]
        shown = (await reader.get(comments)).json()["comments"]
        by_alice = [c["author"]["following"] for c in shown if c["author"]["username"] == "alice"]
        return [
            profile["following"],
            article["author"]["following"],
            listed["author"]["following"],
            *by_alice,
        ]

    assert await following(bob) == [True] * 4
    assert await following(carol) == [False] * 4
    assert await following(client) == [False] * 4
    assert _slugs(await bob.get("/api/articles/feed")) == [slug]
    assert (await bob.delete("/api/profiles/alice/follow")).status_code == 200
    assert await following(bob) == [False] * 4
    assert _slugs(await bob.get("/api/articles/feed")) == []


async def test_added_and_deleted_comments_show_in_cached_comments(
    alice: Persona, bob: Persona, client: AsyncClient
) -> None:
    slug = (await alice.write())["slug"]
    path = f"/api/articles/{slug}/comments"
    await _warm(client, path)
    await _warm(alice, path)
    comment = await bob.comment(slug, "First!")
    for reader in (client, alice):
        assert [c["body"] for c in (await reader.get(path)).json()["comments"]] == ["First!"]
    assert (await bob.delete(f"{path}/{comment['id']}")).status_code == 204
    for reader in (client, alice):
        assert (await reader.get(path)).json() == {"comments": []}


async def test_a_profile_change_shows_in_every_cached_article_comment_list_and_profile(
    alice: Persona, bob: Persona, client: AsyncClient
) -> None:
    slug = (await alice.write())["slug"]
    await alice.comment(slug)
    paths = [
        "/api/profiles/alice",
        f"/api/articles/{slug}",
        "/api/articles",
        "/api/articles?author=alice",
        f"/api/articles/{slug}/comments",
    ]
    for path in paths:
        await _warm(client, path)
        await _warm(bob, path)
    changes = {"username": "alicia", "bio": "New bio", "image": "https://img.test/a.png"}
    assert (await alice.put("/api/user", {"user": changes})).status_code == 200
    expected = {"username": "alicia", "bio": "New bio", "image": "https://img.test/a.png"}
    for reader in (client, bob):
        assert (await reader.get("/api/profiles/alice")).status_code == 404
        profile = (await reader.get("/api/profiles/alicia")).json()["profile"]
        article = (await reader.get(paths[1])).json()["article"]
        listed = (await reader.get(paths[2])).json()["articles"][0]
        comment = (await reader.get(paths[4])).json()["comments"][0]
        for shown in (profile, article["author"], listed["author"], comment["author"]):
            assert {k: shown[k] for k in expected} == expected
        assert _slugs(await reader.get(paths[3])) == []
        assert _slugs(await reader.get("/api/articles?author=alicia")) == [slug]
    user = (await alice.get("/api/user")).json()["user"]
    assert {k: user[k] for k in expected} == expected


async def test_an_email_change_shows_in_the_cached_current_user(alice: Persona) -> None:
    await _warm(alice, "/api/user")
    assert (await alice.put("/api/user", {"user": {"email": "new@example.com"}})).status_code == 200
    assert (await alice.get("/api/user")).json()["user"]["email"] == "new@example.com"


async def test_a_password_change_revokes_other_tokens_despite_the_cached_account(
    alice: Persona, client: AsyncClient
) -> None:
    login = {"user": {"email": alice.email, "password": alice.password}}
    other = (await client.post("/api/users/login", json=login)).json()["user"]["token"]
    slug = (await alice.write())["slug"]
    for token in (alice.token, other):
        for path in ("/api/user", f"/api/articles/{slug}", "/api/articles"):
            await _warm_with(client, path, token)
    response = await alice.put("/api/user", {"user": {"password": "a brand new secret"}})
    assert response.status_code == 200
    for path in ("/api/user", f"/api/articles/{slug}", "/api/articles"):
        assert (await _get(client, path, other)).status_code == 401
        assert (await _get(client, path, alice.token)).status_code == 200


async def _get(client: AsyncClient, path: str, token: str) -> Any:
    return await client.get(path, headers={"Authorization": f"Token {token}"})


async def _warm_with(client: AsyncClient, path: str, token: str) -> None:
    await _get(client, path, token)
    assert (await _get(client, path, token)).status_code == 200
