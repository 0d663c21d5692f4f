"""The admin console at /admin: who may see it, what its forms do, and the password asked again
for a role change or a deletion. Every action writes its audit row like the API's."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import PASSWORD, Persona
from tests.moderation.conftest import grant
from tests.web.browser import Browser
from tests.web.conftest import BrowserFactory

pytestmark = pytest.mark.anyio

PAGES = [
    "/admin",
    "/admin/reports",
    "/admin/users",
    "/admin/articles",
    "/admin/comments",
    "/admin/audit",
]


@pytest.fixture
def cache_mode() -> str:
    return "memory"


async def signed_in(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine, role: str
) -> Browser:
    await Persona.register(client, "staffer")
    await grant(db, "staffer", role)
    browser = await browsers()
    await browser.sign_in("staffer")
    return browser


async def audit(db: AsyncEngine) -> list[tuple[str, str, str]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT actor_name, action, target_label FROM audit_log ORDER BY id")
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def test_anonymous_visitors_are_sent_to_sign_in(browsers: BrowserFactory) -> None:
    browser = await browsers()
    for path in PAGES:
        response = await browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/admin")


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
async def test_members_get_403_and_staff_the_pages(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine, alice: Persona, role: str
) -> None:
    slug = (await alice.write())["slug"]
    browser = await signed_in(browsers, client, db, role)
    for path in [*PAGES, "/admin/users/alice", f"/admin/articles/{slug}"]:
        response = await browser.get(path)
        assert response.status_code == (403 if role == "member" else 200), path
    home = (await browser.get("/")).text
    assert ('href="/admin"' in home) is (role != "member")


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
async def test_the_console_forms_follow_the_same_roles_as_the_api(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine, alice: Persona, role: str
) -> None:
    slug = (await alice.write())["slug"]
    browser = await signed_in(browsers, client, db, role)
    token = await browser.token("/settings")
    hide = await browser.post(
        "/admin/act",
        {"kind": "articles", "key": slug, "op": "hide", "reason": "spam", "next": "/admin"},
        token=token,
    )
    suspend = await browser.post(
        "/admin/users/bulk",
        {"selected": "alice", "op": "suspend", "reason": "spammer"},
        token=token,
    )
    role_change = await browser.post(
        "/admin/users/alice/role",
        {"role": "moderator", "reason": "trusted", "password": PASSWORD},
        token=token,
    )
    delete = await browser.post(
        f"/admin/articles/{slug}/delete", {"reason": "illegal", "password": PASSWORD}, token=token
    )
    statuses = [r.status_code for r in (hide, suspend, role_change, delete)]
    expected = {
        "member": [403, 403, 403, 403],
        "moderator": [303, 303, 403, 403],
        "admin": [303, 303, 303, 303],
    }
    assert statuses == expected[role]
    actions = [row[1] for row in await audit(db)]
    assert (
        actions
        == {
            "member": [],
            "moderator": ["article.hide", "user.suspend"],
            "admin": ["article.hide", "user.suspend", "user.role", "article.delete"],
        }[role]
    )


async def test_a_role_change_or_a_deletion_needs_the_password_again(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine, alice: Persona
) -> None:
    slug = (await alice.write())["slug"]
    browser = await signed_in(browsers, client, db, "admin")
    token = await browser.token("/settings")
    wrong = await browser.post(
        "/admin/users/alice/role",
        {"role": "admin", "reason": "r", "password": "not my password"},
        token=token,
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.text
    gone = await browser.post(
        f"/admin/articles/{slug}/delete", {"reason": "r", "password": ""}, token=token
    )
    assert gone.status_code == 422
    assert await audit(db) == []
    assert (await client.get(f"/api/articles/{slug}")).status_code == 200


async def test_a_moderator_works_the_queue_and_sees_the_history(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine, alice: Persona, bob: Persona
) -> None:
    slug = (await alice.write(title="Buy now"))["slug"]
    await bob.post(f"/api/articles/{slug}/reports", {"report": {"reason": "spam link"}})
    browser = await signed_in(browsers, client, db, "moderator")
    queue = await browser.get("/admin/reports")
    assert "spam link" in queue.text
    assert "Buy now" in queue.text
    dashboard = await browser.get("/admin")
    assert "Reported items awaiting a decision" in dashboard.text
    done = await browser.post(
        "/admin/act",
        {"kind": "articles", "key": slug, "op": "hide", "reason": "spam", "next": "/admin/reports"},
        token=await browser.token("/admin/reports"),
    )
    assert done.headers["location"] == "/admin/reports"
    assert "No open reports." in (await browser.get("/admin/reports")).text
    detail = await browser.get(f"/admin/articles/{slug}")
    assert "article.hide" in detail.text
    assert "staffer" in detail.text
    log = await browser.get("/admin/audit?actor=staffer")
    assert "article.hide" in log.text
    hidden = await browser.get("/admin/articles?status=hidden&q=buy")
    assert "Buy now" in hidden.text
    assert (await client.get(f"/api/articles/{slug}")).status_code == 404
