"""Cached reads must stay cheap: these fail when a cached endpoint's statement count grows."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from tests.conftest import StatementCounter
from tests.factories import Persona

pytestmark = pytest.mark.anyio

# The viewer's account (authentication reads it on every request: never cached), the page, the
# count, and the viewer's favorites and follows (one UNION): a cold authenticated list read.
COLD_AUTHENTICATED_LIST = 4


async def _content(alice: Persona, bob: Persona) -> str:
    slug: str = (await alice.write(tags=["t"]))["slug"]
    await bob.comment(slug)
    await bob.favorite(slug)
    await bob.follow(alice)
    return slug


async def test_warm_cached_reads_run_no_statement_but_the_account_check(
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
    assert sql.statements == []
    # Issue 11: the database decides who may act, on every request. One indexed statement each.
    for path in personal:
        sql.reset()
        assert (await bob.get(path)).status_code == 200
        assert len(sql.statements) == 1, (path, sql.statements)
        assert "FROM users" in sql.statements[0]
        assert re.search(r"WHERE (users\.)?id (=|IN)", sql.statements[0])


async def test_a_cold_authenticated_read_runs_a_bounded_number_of_statements(
    alice: Persona, bob: Persona, sql: StatementCounter
) -> None:
    await _content(alice, bob)
    for n in range(3):
        await alice.write(title=f"More {n}")
    await bob.delete("/api/profiles/alice/follow")  # invalidates bob's relations
    sql.reset()
    assert (await bob.get("/api/articles?limit=2")).status_code == 200
    assert sql.count <= COLD_AUTHENTICATED_LIST, sql.statements
