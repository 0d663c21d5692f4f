"""The moderation API end to end: report, queue, hide, suspend, audit."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Persona
from tests.moderation.conftest import act

pytestmark = pytest.mark.anyio


async def test_it_reports_hides_and_records(
    client: AsyncClient, alice: Persona, bob: Persona, mod: Persona
) -> None:
    slug = (await alice.write(tags=["dragons"]))["slug"]
    filed = await bob.post(f"/api/articles/{slug}/reports", {"report": {"reason": "spam"}})
    assert filed.status_code == 201, filed.text
    again = await bob.post(f"/api/articles/{slug}/reports", {"report": {"reason": "spam"}})
    assert again.status_code == 409
    assert again.json() == {"errors": {"report": ["has already been filed by you for this item"]}}
    queue = (await mod.get("/api/admin/reports")).json()
    assert [(i["targetType"], i["slug"], i["reports"]) for i in queue["items"]] == [
        ("article", slug, 1)
    ]
    hidden = await act(mod, "POST", f"/api/admin/articles/{slug}/hide", reason="spam")
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["moderation"]["resolvedReports"] == 1
    assert (await client.get(f"/api/articles/{slug}")).status_code == 404
    assert (await client.get("/api/articles")).json()["articlesCount"] == 0
    assert (await client.get("/api/tags")).json() == {"tags": []}
    assert (await alice.get(f"/api/articles/{slug}")).status_code == 200
    assert (await mod.get(f"/api/articles/{slug}")).status_code == 200
    audit = (await mod.get("/api/admin/audit")).json()
    assert [e["action"] for e in audit["entries"]] == ["article.hide"]
