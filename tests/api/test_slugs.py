"""Article slugs: readable, unique, stable across edits that do not change them."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient

from conduit.articles.slugs import RESERVED
from tests.assertions import assert_error
from tests.factories import Persona

pytestmark = pytest.mark.anyio

RACE = {"article": {"title": "Race", "description": "d", "body": "b", "tagList": ["fresh", "tags"]}}


async def test_duplicate_titles_get_distinct_slugs(alice: Persona, bob: Persona) -> None:
    first = await alice.write(title="Same Title")
    second = await bob.write(title="Same Title")
    third = await alice.write(title="Same Title")
    slugs = {first["slug"], second["slug"], third["slug"]}
    assert len(slugs) == 3
    assert first["slug"] == "same-title"
    assert all(slug.startswith("same-title") for slug in slugs)


async def test_a_title_without_letters_still_gets_a_slug(alice: Persona) -> None:
    article = await alice.write(title="!!!")
    assert article["slug"] == "article"


async def test_slugs_are_case_sensitive(client: AsyncClient, alice: Persona) -> None:
    await alice.write(title="Dragons")
    assert_error(await client.get("/api/articles/DRAGONS"), 404, "article", "not found")


async def test_changing_the_title_changes_the_slug(client: AsyncClient, alice: Persona) -> None:
    await alice.write(title="Dragons")
    response = await alice.put("/api/articles/dragons", {"article": {"title": "Wyverns"}})
    assert response.status_code == 200
    assert response.json()["article"]["slug"] == "wyverns"
    assert response.json()["article"]["title"] == "Wyverns"
    assert (await client.get("/api/articles/wyverns")).status_code == 200
    assert_error(await client.get("/api/articles/dragons"), 404, "article", "not found")


@pytest.mark.parametrize("title", ["Dragons", "dragons", "DRAGONS!"])
async def test_a_title_with_the_same_slug_keeps_it(alice: Persona, title: str) -> None:
    await alice.write(title="Dragons")
    response = await alice.put("/api/articles/dragons", {"article": {"title": title}})
    assert response.json()["article"]["slug"] == "dragons"
    assert response.json()["article"]["title"] == title


async def test_renaming_onto_a_taken_title_gets_a_distinct_slug(alice: Persona) -> None:
    await alice.write(title="Dragons")
    await alice.write(title="Wyverns")
    response = await alice.put("/api/articles/wyverns", {"article": {"title": "Dragons"}})
    slug = response.json()["article"]["slug"]
    assert slug.startswith("dragons-")


async def test_concurrent_articles_with_one_title_get_distinct_slugs(
    alice: Persona, bob: Persona
) -> None:
    writers = [alice, bob] * 3
    responses = await asyncio.gather(*(w.post("/api/articles", RACE) for w in writers))
    assert {response.status_code for response in responses} == {201}
    slugs = {response.json()["article"]["slug"] for response in responses}
    assert len(slugs) == len(writers)
    tags = (await alice.get("/api/tags")).json()["tags"]
    assert sorted(tags) == ["fresh", "tags"]


@pytest.mark.parametrize("title", ["Feed", "feed", "FEED!"])
async def test_it_never_gives_an_article_a_route_word_as_its_slug(
    client: AsyncClient, alice: Persona, bob: Persona, title: str
) -> None:
    await bob.follow(alice)
    article = await alice.write(title=title)
    assert article["slug"] == "feed-article"
    read = await client.get("/api/articles/feed-article")
    assert read.json()["article"]["title"] == title
    # /api/articles/feed stays bob's feed, which lists the article instead of being it.
    feed = (await bob.get("/api/articles/feed")).json()
    assert [item["slug"] for item in feed["articles"]] == ["feed-article"]


async def test_a_rename_to_a_route_word_gets_a_readable_slug(
    client: AsyncClient, alice: Persona
) -> None:
    await alice.write(title="Dragons")
    renamed = await alice.put("/api/articles/dragons", {"article": {"title": "Feed"}})
    assert renamed.json()["article"]["slug"] == "feed-article"
    assert (await client.get("/api/articles/feed-article")).status_code == 200


async def test_every_route_word_under_articles_is_reserved(client: AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    words = {
        path.split("/")[3]
        for path in paths
        if path.startswith("/api/articles/") and not path.split("/")[3].startswith("{")
    }
    assert words == {"feed"}
    assert words <= RESERVED
