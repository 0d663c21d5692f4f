"""GET /api/tags: the tags in use, most used first."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona

pytestmark = pytest.mark.anyio


async def test_no_articles_no_tags(client: AsyncClient) -> None:
    response = await client.get("/api/tags")
    assert response.status_code == 200
    assert response.json() == {"tags": []}


async def test_tags_are_ordered_by_popularity_then_name(
    client: AsyncClient, alice: Persona, bob: Persona
) -> None:
    await alice.write(title="One", tags=["python", "web", "zen"])
    await alice.write(title="Two", tags=["python", "web"])
    await bob.write(title="Three", tags=["python", "async"])
    response = await client.get("/api/tags")
    assert response.json() == {"tags": ["python", "web", "async", "zen"]}


async def test_tags_differing_in_case_are_distinct(client: AsyncClient, alice: Persona) -> None:
    await alice.write(title="One", tags=["Python", "python"])
    assert sorted((await client.get("/api/tags")).json()["tags"]) == ["Python", "python"]


async def test_unused_tags_disappear(client: AsyncClient, alice: Persona) -> None:
    first = await alice.write(title="One", tags=["python", "rare"])
    second = await alice.write(title="Two", tags=["python", "edited-away"])
    await alice.delete(f"/api/articles/{first['slug']}")
    await alice.put(f"/api/articles/{second['slug']}", {"article": {"tagList": ["python"]}})
    assert (await client.get("/api/tags")).json() == {"tags": ["python"]}
    await alice.delete(f"/api/articles/{second['slug']}")
    assert (await client.get("/api/tags")).json() == {"tags": []}


async def test_a_token_is_not_needed_and_a_good_one_is_fine(alice: Persona) -> None:
    await alice.write(tags=["python"])
    assert (await alice.get("/api/tags")).json() == {"tags": ["python"]}
