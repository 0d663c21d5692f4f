"""Profiles and following: GET /api/profiles/{username}, POST/DELETE .../follow."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Follow
from tests.assertions import assert_error, count_rows, user_id
from tests.factories import Persona

pytestmark = pytest.mark.anyio


async def test_anyone_can_read_a_profile(client: AsyncClient, alice: Persona) -> None:
    await alice.put("/api/user", {"user": {"bio": "Tea", "image": "https://img.example/a.png"}})
    response = await client.get("/api/profiles/alice")
    assert response.status_code == 200
    assert response.json() == {
        "profile": {
            "username": "alice",
            "bio": "Tea",
            "image": "https://img.example/a.png",
            "following": False,
        }
    }


async def test_an_unknown_profile_is_404(client: AsyncClient, alice: Persona) -> None:
    assert_error(await client.get("/api/profiles/nobody"), 404, "profile", "not found")
    assert_error(await alice.post("/api/profiles/nobody/follow"), 404, "profile", "not found")
    assert_error(await alice.delete("/api/profiles/nobody/follow"), 404, "profile", "not found")


async def test_profile_lookup_is_case_sensitive(client: AsyncClient, alice: Persona) -> None:
    assert_error(await client.get("/api/profiles/ALICE"), 404, "profile", "not found")


async def test_following_shows_on_the_followers_view_only(
    client: AsyncClient, alice: Persona, bob: Persona, carol: Persona
) -> None:
    response = await alice.post("/api/profiles/bob/follow")
    assert response.status_code == 200
    assert response.json()["profile"] == {
        "username": "bob",
        "bio": None,
        "image": None,
        "following": True,
    }
    assert (await alice.get("/api/profiles/bob")).json()["profile"]["following"] is True
    assert (await carol.get("/api/profiles/bob")).json()["profile"]["following"] is False
    assert (await client.get("/api/profiles/bob")).json()["profile"]["following"] is False
    assert (await bob.get("/api/profiles/alice")).json()["profile"]["following"] is False


async def test_follow_is_idempotent(alice: Persona, bob: Persona, db: AsyncEngine) -> None:
    for _ in range(2):
        response = await alice.post("/api/profiles/bob/follow")
        assert response.status_code == 200
        assert response.json()["profile"]["following"] is True
    follower = await user_id(db, "alice")
    assert await count_rows(db, Follow, follower_id=follower) == 1


async def test_unfollow_is_idempotent(alice: Persona, bob: Persona, db: AsyncEngine) -> None:
    await alice.follow(bob)
    for _ in range(2):
        response = await alice.delete("/api/profiles/bob/follow")
        assert response.status_code == 200
        assert response.json()["profile"]["following"] is False
    assert await count_rows(db, Follow) == 0
    assert (await alice.get("/api/profiles/bob")).json()["profile"]["following"] is False


async def test_unfollowing_someone_never_followed_is_fine(alice: Persona, bob: Persona) -> None:
    response = await alice.delete("/api/profiles/bob/follow")
    assert response.status_code == 200
    assert response.json()["profile"]["following"] is False


async def test_you_cannot_follow_yourself(alice: Persona, db: AsyncEngine) -> None:
    response = await alice.post("/api/profiles/alice/follow")
    assert_error(response, 422, "profile", "cannot follow yourself")
    assert await count_rows(db, Follow) == 0


async def test_follow_needs_a_token(client: AsyncClient, bob: Persona) -> None:
    assert_error(await client.post("/api/profiles/bob/follow"), 401, "token", "is missing")
    assert_error(await client.delete("/api/profiles/bob/follow"), 401, "token", "is missing")
