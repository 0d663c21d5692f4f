"""An article carries at most 20 tags (conduit.validation.MAX_TAGS), on create and on update."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, Tag
from tests.factories import Persona

pytestmark = pytest.mark.anyio

TOO_MANY = {"errors": {"tagList": ["has too many items (maximum is 20)"]}}


def tags(count: int) -> list[str]:
    return [f"tag{n:02d}" for n in range(count)]


async def test_twenty_tags_are_accepted_and_twenty_one_refused(
    alice: Persona, db: AsyncEngine
) -> None:
    fields = {"title": "Tagged", "description": "d", "body": "b"}
    refused = await alice.post("/api/articles", {"article": {**fields, "tagList": tags(21)}})
    assert refused.status_code == 422
    assert refused.json() == TOO_MANY
    async with db.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Article))).scalar_one() == 0
        assert (await conn.execute(select(func.count()).select_from(Tag))).scalar_one() == 0
    accepted = await alice.post("/api/articles", {"article": {**fields, "tagList": tags(20)}})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["article"]["tagList"] == tags(20)


async def test_an_update_with_too_many_tags_changes_nothing(alice: Persona) -> None:
    article = await alice.write(tags=["one"])
    path = f"/api/articles/{article['slug']}"
    refused = await alice.put(path, {"article": {"title": "Renamed", "tagList": tags(21)}})
    assert refused.status_code == 422
    assert refused.json() == TOO_MANY
    kept = (await alice.get(path)).json()["article"]
    assert (kept["title"], kept["tagList"]) == (article["title"], ["one"])
