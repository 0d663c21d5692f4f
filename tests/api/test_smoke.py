from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona

pytestmark = pytest.mark.anyio


async def test_it_registers_and_reads_back_the_current_user(alice: Persona) -> None:
    response = await alice.get("/api/user")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"


async def test_it_lists_articles_newest_first(alice: Persona, client: AsyncClient) -> None:
    first = await alice.write(title="First")
    second = await alice.write(title="Second")
    response = await client.get("/api/articles")
    assert [a["slug"] for a in response.json()["articles"]] == [second["slug"], first["slug"]]
