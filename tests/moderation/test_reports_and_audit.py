"""Reports (one per member per item, a queue grouped by item, resolved by an action or
dismissed) and the audit log (one row per action, filters, CSV, concurrency)."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Persona
from tests.moderation.conftest import act, grant

pytestmark = pytest.mark.anyio


@pytest.fixture
def cache_mode() -> str:
    return "memory"


async def report(person: Persona, path: str, reason: str) -> int:
    response = await person.post(path, {"report": {"reason": reason}})
    return response.status_code


async def test_the_queue_groups_reports_by_item_and_actions_resolve_them(
    alice: Persona, bob: Persona, carol: Persona, mod: Persona
) -> None:
    slug = (await alice.write())["slug"]
    comment = await alice.comment(slug, "buy pills")
    article_path = f"/api/articles/{slug}/reports"
    comment_path = f"/api/articles/{slug}/comments/{comment['id']}/reports"
    assert await report(bob, article_path, "spam") == 201
    assert await report(carol, article_path, "scam") == 201
    assert await report(bob, comment_path, "spam") == 201
    assert await report(bob, article_path, "again") == 409
    assert await report(bob, f"/api/articles/{slug}/comments/999999/reports", "x") == 404
    assert await report(bob, "/api/articles/nope/reports", "x") == 404
    blank = await bob.post(article_path, {"report": {"reason": "  "}})
    assert blank.status_code == 422

    queue = (await mod.get("/api/admin/reports?status=open")).json()
    assert queue["itemsCount"] == 2
    found = {(i["targetType"], i["targetId"]): i for i in queue["items"]}
    article = next(i for (kind, _), i in found.items() if kind == "article")
    assert article["reports"] == 2
    assert sorted(article["reasons"]) == ["scam", "spam"]
    assert found[("comment", comment["id"])]["title"] == "buy pills"
    page = (await mod.get("/api/admin/reports?limit=1")).json()
    assert (len(page["items"]), page["itemsCount"]) == (1, 2)

    hidden = await act(mod, "POST", f"/api/admin/articles/{slug}/hide")
    assert hidden.json()["moderation"]["resolvedReports"] == 2
    dismissed = await act(mod, "POST", f"/api/admin/comments/{comment['id']}/reports/dismiss")
    assert dismissed.json()["moderation"]["resolvedReports"] == 1
    assert (await mod.get("/api/admin/reports")).json() == {"items": [], "itemsCount": 0}
    resolved = (await mod.get("/api/admin/reports?status=resolved")).json()
    assert resolved["itemsCount"] == 2
    assert (await mod.get("/api/admin/reports?status=other")).status_code == 422


async def test_every_action_writes_one_audit_row_with_its_context(
    client: AsyncClient, alice: Persona, mod: Persona, admin: Persona
) -> None:
    slug = (await alice.write())["slug"]
    comment = await alice.comment(slug)
    await act(mod, "POST", f"/api/admin/articles/{slug}/hide", reason="off topic")
    await act(mod, "POST", f"/api/admin/comments/{comment['id']}/hide", reason="rude")
    await act(mod, "POST", "/api/admin/users/alice/suspend", reason="spammer")
    await act(admin, "PUT", "/api/admin/users/mia/role", role="admin", reason="trusted")
    await act(admin, "DELETE", f"/api/admin/articles/{slug}", reason="illegal")

    entries = (await mod.get("/api/admin/audit")).json()
    assert entries["entriesCount"] == 5
    assert [(e["actor"], e["action"], e["reason"]) for e in entries["entries"]] == [
        ("ada", "article.delete", "illegal"),
        ("ada", "user.role", "trusted"),
        ("mia", "user.suspend", "spammer"),
        ("mia", "comment.hide", "rude"),
        ("mia", "article.hide", "off topic"),
    ]
    first = entries["entries"][-1]
    assert first["before"] == {"hidden": False, "hiddenReason": None}
    assert first["after"] == {"hidden": True, "hiddenReason": "off topic"}
    assert first["target"] == slug
    assert first["clientAddress"]
    assert first["requestId"]

    by_actor = (await mod.get("/api/admin/audit?actor=ada")).json()
    assert by_actor["entriesCount"] == 2
    by_action = (await mod.get("/api/admin/audit?action=user.suspend")).json()
    assert [e["target"] for e in by_action["entries"]] == ["alice"]
    by_target = (await mod.get("/api/admin/audit?targetType=article")).json()
    assert by_target["entriesCount"] == 2
    later = (await mod.get("/api/admin/audit?since=2999-01-01T00:00:00Z")).json()
    assert later["entriesCount"] == 0

    exported = await mod.get("/api/admin/audit.csv?actor=mia")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:3] == ["id", "actor", "action"]
    assert [row[2] for row in rows[1:]] == ["user.suspend", "comment.hide", "article.hide"]


async def test_no_endpoint_changes_audit_rows(client: AsyncClient, mod: Persona) -> None:
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = await client.request(method, "/api/admin/audit", headers=mod.auth)
        assert response.status_code == 405


async def test_two_moderators_on_one_item_end_consistent_with_two_audit_rows(
    client: AsyncClient, db: AsyncEngine, alice: Persona, mod: Persona
) -> None:
    other = await Persona.register(client, "max")
    await grant(db, "max", "moderator")
    slug = (await alice.write())["slug"]
    first, second = await asyncio.gather(
        act(mod, "POST", f"/api/admin/articles/{slug}/hide", reason="one"),
        act(other, "POST", f"/api/admin/articles/{slug}/hide", reason="two"),
    )
    assert (first.status_code, second.status_code) == (200, 200)
    async with db.connect() as conn:
        actions = (
            await conn.execute(
                text("SELECT action, before_json, after_json FROM audit_log ORDER BY id")
            )
        ).all()
        hidden_content = (
            await conn.execute(text("SELECT hidden_content FROM users WHERE username = 'alice'"))
        ).scalar_one()
    assert [a[0] for a in actions] == ["article.hide", "article.hide"], actions
    # One of them hid it, the other found it hidden already: never two "was visible" rows.
    assert sorted(a[1] for a in actions)[0].startswith('{"hidden":false')
    assert sorted(a[1] for a in actions)[1].startswith('{"hidden":true'), actions
    assert hidden_content == 1
    assert (await client.get(f"/api/articles/{slug}")).status_code == 404


async def test_admin_tables_search_filter_and_page(
    alice: Persona, bob: Persona, mod: Persona
) -> None:
    await alice.write(title="Dragons are real")
    slug = (await bob.write(title="Cats"))["slug"]
    await bob.comment(slug, "meow MEOW")
    await act(mod, "POST", f"/api/admin/articles/{slug}/hide")
    await act(mod, "POST", "/api/admin/users/alice/suspend")

    users = (await mod.get("/api/admin/users?status=suspended")).json()
    assert [u["username"] for u in users["users"]] == ["alice"]
    staff = (await mod.get("/api/admin/users?role=moderator")).json()
    assert [u["username"] for u in staff["users"]] == ["mia"]
    named = (await mod.get("/api/admin/users?q=BO&sort=name")).json()
    assert [u["username"] for u in named["users"]] == ["bob"]
    hidden = (await mod.get("/api/admin/articles?status=hidden")).json()
    assert [a["slug"] for a in hidden["articles"]] == [slug]
    found = (await mod.get("/api/admin/articles?q=dragon")).json()
    assert [a["author"] for a in found["articles"]] == ["alice"]
    paged = (await mod.get("/api/admin/articles?limit=1&sort=created")).json()
    assert (paged["articles"][0]["title"], paged["articlesCount"]) == ("Dragons are real", 2)
    comments = (await mod.get("/api/admin/comments?q=meow&author=bob")).json()
    assert [c["body"] for c in comments["comments"]] == ["meow MEOW"]
