"""Cached reads must stay cheap: these fail when a cached endpoint's statement count grows."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.conftest import StatementCounter
from tests.factories import Persona

pytestmark = pytest.mark.anyio

# Page, count, and the viewer's favorites and follows (one UNION): a cold authenticated list read
# whose viewer's account is still cached.
COLD_AUTHENTICATED_LIST = 3


async def _content(alice: Persona, bob: Persona) -> str:
    slug: str = (await alice.write(tags=["t"]))["slug"]
    await bob.comment(slug)
    await bob.favorite(slug)
    await bob.follow(alice)
    return slug


async def test_warm_cached_reads_run_no_statement(
    alice: Persona, bob: Persona, client: AsyncClient, sql: StatementCounter
) -> None:
    slug = await _content(alice, bob)
    anonymous = [
        "/api/tags",
        "/api/articles",
        "/api/articles?tag=t",
        f"/api/articles/{slug}",
        f"/api/articles/{slug}/comments",
        "/api/profiles/alice",
    ]
    personal = [*anonymous, "/api/articles/feed", "/api/user"]
    for path in anonymous:
        assert (await client.get(path)).status_code == 200
    for path in personal:
        assert (await bob.get(path)).status_code == 200
    sql.reset()
    for path in anonymous:
        assert (await client.get(path)).status_code == 200
    for path in personal:
        assert (await bob.get(path)).status_code == 200
    assert sql.statements == []


async def test_a_cold_authenticated_read_runs_a_bounded_number_of_statements(
    alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    await _content(alice, bob)
    for n in range(3):
        await alice.write(title=f"More {n}")
    await bob.get("/api/user")  # caches bob's account
    await bob.delete("/api/profiles/alice/follow")  # invalidates bob's relations, not his account
    sql.reset()
    assert (await bob.get("/api/articles?limit=2")).status_code == 200
    assert sql.count <= COLD_AUTHENTICATED_LIST, sql.statements
