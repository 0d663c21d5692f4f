"""Every role by every moderation action through the API: members 403 ``role forbidden``,
moderators allowed or denied per action, admins allowed; anonymous callers 401. A refused action
changes nothing and writes no audit row; an allowed write writes exactly one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Persona
from tests.moderation.conftest import grant

pytestmark = pytest.mark.anyio


@pytest.fixture
def cache_mode() -> str:
    return "memory"  # who may act does not depend on the cache: one mode is enough here


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    moderator: bool  # may a moderator do it (admins may do everything)
    writes: bool = True
    body: tuple[tuple[str, str], ...] = (("reason", "testing the matrix"),)


ACTIONS = [
    Action("GET", "/api/admin/reports", True, writes=False, body=()),
    Action("GET", "/api/admin/users", True, writes=False, body=()),
    Action("GET", "/api/admin/articles", True, writes=False, body=()),
    Action("GET", "/api/admin/comments", True, writes=False, body=()),
    Action("GET", "/api/admin/audit", True, writes=False, body=()),
    Action("GET", "/api/admin/audit.csv", True, writes=False, body=()),
    Action("POST", "/api/admin/articles/{slug}/hide", True),
    Action("DELETE", "/api/admin/articles/{slug}/hide", True),
    Action("POST", "/api/admin/comments/{comment}/hide", True),
    Action("DELETE", "/api/admin/comments/{comment}/hide", True),
    Action("POST", "/api/admin/articles/{slug}/reports/dismiss", True),
    Action("POST", "/api/admin/comments/{comment}/reports/dismiss", True),
    Action("POST", "/api/admin/users/{target}/suspend", True),
    Action("DELETE", "/api/admin/users/{target}/suspend", True),
    Action(
        "PUT",
        "/api/admin/users/{target}/role",
        False,
        body=(("role", "moderator"), ("reason", "x")),
    ),
    Action("DELETE", "/api/admin/articles/{slug}", False),
]


async def audit_rows(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM audit_log"))).scalar_one())


async def call(
    client: AsyncClient, person: Persona | None, action: Action, target: dict[str, str]
) -> Response:
    headers = person.auth if person else {}
    body = dict(action.body) or None
    return await client.request(
        action.method, action.path.format(**target), headers=headers, json=body
    )


@pytest.fixture
async def target(alice: Persona, bob: Persona) -> dict[str, str]:
    slug = (await alice.write())["slug"]
    comment = await bob.comment(slug)
    return {"slug": slug, "comment": str(comment["id"]), "target": "alice"}


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a.method} {a.path}")
@pytest.mark.parametrize("role", ["anonymous", "member", "moderator", "admin"])
async def test_it_allows_each_action_only_to_its_roles(
    client: AsyncClient,
    db: AsyncEngine,
    target: dict[str, str],
    action: Action,
    role: str,
) -> None:
    person = None if role == "anonymous" else await Persona.register(client, "actor")
    if role in ("moderator", "admin"):
        await grant(db, "actor", role)
    response = await call(client, person, action, target)
    allowed = role == "admin" or (role == "moderator" and action.moderator)
    if role == "anonymous":
        assert response.status_code == 401
    elif not allowed:
        assert response.status_code == 403, response.text
        assert response.json() == {"errors": {"role": ["forbidden"]}}
    else:
        assert response.status_code == 200, response.text
    assert await audit_rows(db) == (1 if allowed and action.writes else 0)


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
async def test_every_signed_in_role_may_report(
    client: AsyncClient, db: AsyncEngine, target: dict[str, str], role: str
) -> None:
    person = await Persona.register(client, "actor")
    await grant(db, "actor", role)
    article = await person.post(
        f"/api/articles/{target['slug']}/reports", {"report": {"reason": "spam"}}
    )
    comment = await person.post(
        f"/api/articles/{target['slug']}/comments/{target['comment']}/reports",
        {"report": {"reason": "rude"}},
    )
    assert (article.status_code, comment.status_code) == (201, 201)
    anonymous = await client.post(
        f"/api/articles/{target['slug']}/reports", json={"report": {"reason": "spam"}}
    )
    assert anonymous.status_code == 401


async def test_a_moderator_may_not_suspend_staff_but_an_admin_may(
    client: AsyncClient, db: AsyncEngine, mod: Persona, admin: Persona
) -> None:
    await Persona.register(client, "other")
    await grant(db, "other", "moderator")
    refused = await client.request(
        "POST", "/api/admin/users/other/suspend", headers=mod.auth, json={"reason": "x"}
    )
    assert refused.status_code == 403
    done = await client.request(
        "POST", "/api/admin/users/other/suspend", headers=admin.auth, json={"reason": "x"}
    )
    assert done.status_code == 200
    own = await client.request(
        "PUT",
        "/api/admin/users/ada/role",
        headers=admin.auth,
        json={"role": "member", "reason": "x"},
    )
    assert own.status_code == 422
    assert own.json() == {"errors": {"role": ["cannot change your own role"]}}


async def test_roles_appear_nowhere_in_the_public_api(
    client: AsyncClient, admin: Persona, alice: Persona
) -> None:
    slug = (await admin.write())["slug"]
    bodies = [
        (await admin.get("/api/user")).text,
        (await alice.get("/api/profiles/ada")).text,
        (await alice.get(f"/api/articles/{slug}")).text,
        (await client.get("/api/articles")).text,
    ]
    for body in bodies:
        assert "role" not in body
