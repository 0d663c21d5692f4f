"""Authorization: ownership, scoping, mass assignment, no leaks of emails or hashes."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Persona
from tests.security.conftest import row

pytestmark = pytest.mark.anyio


async def test_nobody_edits_or_deletes_another_users_article(
    alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    article = await alice.write(title="Mine", tags=["owned"])
    slug = article["slug"]
    before = await row(db, "articles", "slug = :s", s=slug)
    edit = await bob.put(
        f"/api/articles/{slug}", {"article": {"title": "Stolen", "body": "pwned", "tagList": []}}
    )
    delete = await bob.delete(f"/api/articles/{slug}")
    assert edit.status_code == 403
    assert delete.status_code == 403
    assert edit.json() == {"errors": {"article": ["forbidden"]}}
    assert await row(db, "articles", "slug = :s", s=slug) == before


async def test_nobody_deletes_another_users_comment(
    alice: Persona, bob: Persona, db: AsyncEngine
) -> None:
    article = await alice.write()
    comment = await alice.comment(article["slug"], "First!")
    before = await row(db, "comments", "id = :i", i=comment["id"])
    response = await bob.delete(f"/api/articles/{article['slug']}/comments/{comment['id']}")
    assert response.status_code == 403
    assert await row(db, "comments", "id = :i", i=comment["id"]) == before


async def test_a_comment_id_under_the_wrong_article_is_not_found(
    alice: Persona, db: AsyncEngine
) -> None:
    first = await alice.write(title="First")
    second = await alice.write(title="Second")
    comment = await alice.comment(first["slug"])
    before = await row(db, "comments", "id = :i", i=comment["id"])
    response = await alice.delete(f"/api/articles/{second['slug']}/comments/{comment['id']}")
    assert response.status_code == 404
    assert response.json() == {"errors": {"comment": ["not found"]}}
    assert await row(db, "comments", "id = :i", i=comment["id"]) == before


async def test_mass_assignment_is_impossible(
    alice: Persona, bob: Persona, client: AsyncClient, db: AsyncEngine
) -> None:
    registered = await client.post(
        "/api/users",
        json={
            "user": {
                "username": "mallory",
                "email": "mallory@example.com",
                "password": "mallory's passphrase",
                "id": 1,
                "token_version": 99,
                "password_hash": "$argon2id$forged",
                "is_admin": True,
                "following": True,
            }
        },
    )
    assert registered.status_code == 201
    mallory = await row(db, "users", "username = 'mallory'")
    assert mallory is not None
    assert 99 not in mallory
    assert "$argon2id$forged" not in mallory

    article = await alice.write(title="Counted")
    changed = await alice.put(
        f"/api/articles/{article['slug']}",
        {
            "article": {
                "body": "edited",
                "slug": "chosen-slug",
                "favoritesCount": 1000,
                "favorited": True,
                "author": {"username": "bob"},
                "author_id": 2,
                "createdAt": "2000-01-01T00:00:00.000Z",
            }
        },
    )
    assert changed.status_code == 200
    body = changed.json()["article"]
    assert body["slug"] == article["slug"]
    assert body["favoritesCount"] == 0
    assert body["favorited"] is False
    assert body["author"]["username"] == "alice"
    assert body["createdAt"] == article["createdAt"]

    profile_change = await bob.put(
        "/api/user", {"user": {"bio": "hi", "id": 1, "token_version": 0, "kept_token_id": "x"}}
    )
    assert profile_change.status_code == 200
    assert (await bob.get("/api/user")).json()["user"]["username"] == "bob"


async def test_no_response_exposes_hashes_or_other_users_emails(
    alice: Persona, bob: Persona, carol: Persona, client: AsyncClient
) -> None:
    responses: list[tuple[Persona | None, Response]] = []

    async def seen(who: Persona | None, response: Response) -> Response:
        responses.append((who, response))
        return response

    article = (
        await seen(
            alice,
            await alice.post(
                "/api/articles",
                {"article": {"title": "Leaky?", "description": "d", "body": "b", "tagList": ["t"]}},
            ),
        )
    ).json()["article"]
    slug = article["slug"]
    await seen(bob, await bob.post(f"/api/articles/{slug}/comments", {"comment": {"body": "c"}}))
    await seen(bob, await bob.post(f"/api/articles/{slug}/favorite"))
    await seen(carol, await carol.post("/api/profiles/alice/follow"))
    await seen(carol, await carol.post("/api/profiles/bob/follow"))
    for who in (alice, bob, carol):
        for path in (
            "/api/articles",
            f"/api/articles/{slug}",
            f"/api/articles/{slug}/comments",
            "/api/articles/feed",
            "/api/profiles/alice",
            "/api/profiles/bob",
            "/api/profiles/carol",
            "/api/tags",
            "/api/user",
            "/api/articles?favorited=bob",
            "/api/articles?author=alice",
        ):
            await seen(who, await who.get(path))
    for path in ("/api/articles", f"/api/articles/{slug}", "/api/profiles/alice"):
        await seen(None, await client.get(path))
    await seen(
        None,
        await client.post(
            "/api/users/login", json={"user": {"email": alice.email, "password": alice.password}}
        ),
    )
    await seen(carol, await carol.delete("/api/profiles/alice/follow"))

    emails = {p.username: p.email for p in (alice, bob, carol)}
    for viewer, response in responses:
        text = response.text
        assert "$argon2" not in text
        assert "password" not in json.dumps(response.json()).lower()
        own = viewer.email if viewer else None
        if "/users/login" in str(response.request.url):
            own = alice.email
        for email in emails.values():
            if email != own:
                assert email not in text, (response.request.url, text)
