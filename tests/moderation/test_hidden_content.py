"""Hidden content vanishes from every read for everyone but its author and the moderators, with
the cache in process, in Redis and off (``cache_mode``), and no cached entry leaks it."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona
from tests.moderation.conftest import act
from tests.web.conftest import BrowserFactory

pytestmark = pytest.mark.anyio


async def slugs(client: AsyncClient, path: str, person: Persona | None = None) -> list[str]:
    response = await (person.get(path) if person else client.get(path))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["articlesCount"] == len(body["articles"])
    return [a["slug"] for a in body["articles"]]


async def test_a_hidden_article_leaves_every_public_read(
    client: AsyncClient, alice: Persona, bob: Persona, mod: Persona
) -> None:
    kept = (await alice.write(title="Kept", tags=["dragons"]))["slug"]
    gone = (await alice.write(title="Gone", tags=["dragons", "spam"]))["slug"]
    await bob.follow(alice)
    await bob.favorite(gone)
    await bob.favorite(kept)
    await bob.comment(gone)
    paths = [
        "/api/articles",
        "/api/articles?author=alice",
        "/api/articles?favorited=bob",
        "/api/articles?tag=dragons",
    ]
    # Warm every cache first: the hide must make these entries stale, not just miss them.
    for path in paths:
        assert gone in await slugs(client, path)
    assert gone in await slugs(client, "/api/articles/feed", bob)
    assert (await client.get(f"/api/articles/{gone}/comments")).status_code == 200
    assert (await client.get("/api/tags")).json()["tags"] == ["dragons", "spam"]

    assert (await act(mod, "POST", f"/api/admin/articles/{gone}/hide")).status_code == 200

    for path in paths:
        assert await slugs(client, path) == [kept]
        assert await slugs(client, path, bob) == [kept]
    assert await slugs(client, "/api/articles/feed", bob) == [kept]
    assert (await client.get(f"/api/articles/{gone}")).status_code == 404
    assert (await bob.get(f"/api/articles/{gone}")).status_code == 404
    assert (await client.get(f"/api/articles/{gone}/comments")).status_code == 404
    assert (await client.get("/api/tags")).json()["tags"] == ["dragons"]
    # Writes through the public API see it gone too.
    comment = await bob.post(f"/api/articles/{gone}/comments", {"comment": {"body": "hi"}})
    assert comment.status_code == 404
    assert (await bob.post(f"/api/articles/{gone}/favorite")).status_code == 404
    # Someone else's edit or delete does not learn that it exists (404, not 403).
    edit = {"article": {"title": "Mine now"}}
    assert (await bob.put(f"/api/articles/{gone}", edit)).status_code == 404
    assert (await bob.delete(f"/api/articles/{gone}")).status_code == 404


async def test_its_author_and_moderators_still_see_it_and_nothing_leaks_back(
    client: AsyncClient, alice: Persona, bob: Persona, mod: Persona
) -> None:
    slug = (await alice.write())["slug"]
    await act(mod, "POST", f"/api/admin/articles/{slug}/hide")
    # Privileged reads first: had they filled a shared entry, the anonymous reads would see it.
    for person in (alice, mod):
        assert (await person.get(f"/api/articles/{slug}")).status_code == 200
        assert await slugs(client, "/api/articles", person) == [slug]
        assert (await person.get(f"/api/articles/{slug}/comments")).status_code == 200
    assert (await client.get(f"/api/articles/{slug}")).status_code == 404
    assert await slugs(client, "/api/articles") == []
    assert await slugs(client, "/api/articles", bob) == []

    assert (await act(mod, "DELETE", f"/api/admin/articles/{slug}/hide")).status_code == 200
    assert await slugs(client, "/api/articles") == [slug]
    assert (await client.get(f"/api/articles/{slug}")).status_code == 200


async def test_a_hidden_comment_leaves_the_thread_but_its_author_sees_it(
    client: AsyncClient, alice: Persona, bob: Persona, mod: Persona
) -> None:
    slug = (await alice.write())["slug"]
    kept = await alice.comment(slug, "fine")
    gone = await bob.comment(slug, "rude")
    assert len((await client.get(f"/api/articles/{slug}/comments")).json()["comments"]) == 2
    assert (await act(mod, "POST", f"/api/admin/comments/{gone['id']}/hide")).status_code == 200

    def ids(response: object) -> list[int]:
        return [c["id"] for c in response.json()["comments"]]  # type: ignore[attr-defined]

    assert ids(await client.get(f"/api/articles/{slug}/comments")) == [kept["id"]]
    assert ids(await alice.get(f"/api/articles/{slug}/comments")) == [kept["id"]]
    assert ids(await bob.get(f"/api/articles/{slug}/comments")) == [gone["id"], kept["id"]]
    assert ids(await mod.get(f"/api/articles/{slug}/comments")) == [gone["id"], kept["id"]]
    assert ids(await client.get(f"/api/articles/{slug}/comments")) == [kept["id"]]


async def test_a_suspended_authors_content_is_hidden_until_reactivated(
    client: AsyncClient, alice: Persona, bob: Persona, mod: Persona
) -> None:
    own = (await alice.write(tags=["dragons"]))["slug"]
    other = (await bob.write(title="Other"))["slug"]
    await alice.comment(other, "by alice")
    assert len(await slugs(client, "/api/articles")) == 2
    assert (await act(mod, "POST", "/api/admin/users/alice/suspend")).status_code == 200

    assert await slugs(client, "/api/articles") == [other]
    assert (await client.get(f"/api/articles/{own}")).status_code == 404
    assert (await client.get(f"/api/articles/{other}/comments")).json()["comments"] == []
    assert (await client.get("/api/tags")).json()["tags"] == []
    assert (await mod.get(f"/api/articles/{own}")).status_code == 200

    assert (await act(mod, "DELETE", "/api/admin/users/alice/suspend")).status_code == 200
    assert len(await slugs(client, "/api/articles")) == 2
    assert len((await client.get(f"/api/articles/{other}/comments")).json()["comments"]) == 1


async def test_the_web_pages_hide_it_and_its_author_sees_a_notice(
    browsers: BrowserFactory, alice: Persona, mod: Persona
) -> None:
    slug = (await alice.write(title="Hidden words", tags=["dragons"]))["slug"]
    anonymous = await browsers()
    for path in ("/", "/profile/alice", "/tag/dragons"):
        assert "Hidden words" in (await anonymous.get(path)).text
    await act(mod, "POST", f"/api/admin/articles/{slug}/hide")

    assert (await anonymous.get(f"/article/{slug}")).status_code == 404
    for path in ("/", "/profile/alice", "/tag/dragons"):
        page = await anonymous.get(path)
        assert page.status_code == 200
        assert "Hidden words" not in page.text
    author = await browsers()
    await author.sign_in("alice")
    page = await author.get(f"/article/{slug}")
    assert page.status_code == 200
    assert "A moderator has hidden this article" in page.text
    assert "Hidden words" in (await author.get("/profile/alice")).text
