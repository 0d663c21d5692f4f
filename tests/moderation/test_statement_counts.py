"""The moderation reads run the same statements for 1 item as for 20 (no N+1), and the public
lists keep their bound with hidden content and suspended authors in the data."""

from __future__ import annotations

import pytest

from tests.conftest import StatementCounter
from tests.factories import Persona
from tests.moderation.conftest import act

pytestmark = pytest.mark.anyio


@pytest.fixture
def cache_mode() -> str:
    return "off"  # the database path: what each request runs when nothing is cached


@pytest.fixture
async def reported(alice: Persona, bob: Persona, carol: Persona, mod: Persona) -> None:
    """25 articles by alice and bob, each reported with a comment reported too; some hidden."""
    for n in range(25):
        author = bob if n % 5 == 0 else alice
        slug = (await author.write(title=f"Post {n}", tags=["common"]))["slug"]
        comment = await author.comment(slug, f"comment {n}")
        await carol.post(f"/api/articles/{slug}/reports", {"report": {"reason": "spam"}})
        await carol.post(
            f"/api/articles/{slug}/comments/{comment['id']}/reports", {"report": {"reason": "x"}}
        )
        if n % 7 == 0:
            await act(mod, "POST", f"/api/admin/articles/{slug}/hide")


async def count(sql: StatementCounter, person: Persona, path: str) -> int:
    sql.reset()
    response = await person.get(path)
    assert response.status_code == 200, response.text
    return sql.count


@pytest.mark.parametrize(
    "path",
    [
        "/api/admin/reports?limit={n}",
        "/api/admin/users?limit={n}",
        "/api/admin/articles?limit={n}",
        "/api/admin/comments?limit={n}",
        "/api/admin/audit?limit={n}",
        "/api/articles?limit={n}",
    ],
)
async def test_it_runs_as_many_statements_for_one_item_as_for_twenty(
    sql: StatementCounter, reported: None, mod: Persona, path: str
) -> None:
    one = await count(sql, mod, path.format(n=1))
    twenty = await count(sql, mod, path.format(n=20))
    assert one == twenty
    assert twenty <= 6


async def test_public_lists_keep_their_bound_with_hidden_content(
    sql: StatementCounter, reported: None, carol: Persona, mod: Persona
) -> None:
    await act(mod, "POST", "/api/admin/users/bob/suspend")
    # Authentication, then the page with its total riding along (the moderated rows subtracted in
    # the same statement): as without moderation (tests/api/test_query_counts.py).
    assert await count(sql, carol, "/api/articles?limit=1") == 2
    assert await count(sql, carol, "/api/articles?tag=common&limit=2") == 2
