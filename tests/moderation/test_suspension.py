"""Suspension holds at the next request: tokens 403, sign-in 403, web sessions end."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import PASSWORD, Persona
from tests.moderation.conftest import act
from tests.web.conftest import BrowserFactory

pytestmark = pytest.mark.anyio

SUSPENDED = {"errors": {"account": ["suspended"]}}


async def test_a_suspended_accounts_token_and_sign_in_answer_403(
    client: AsyncClient, alice: Persona, mod: Persona
) -> None:
    slug = (await alice.write())["slug"]
    # Warm the fast path's entries for this token: a cached answer must not admit it later.
    assert (await alice.get("/api/articles")).status_code == 200
    assert (await alice.get(f"/api/articles/{slug}")).status_code == 200
    assert (await act(mod, "POST", "/api/admin/users/alice/suspend")).status_code == 200

    for path in ("/api/user", "/api/articles", f"/api/articles/{slug}"):
        refused = await alice.get(path)
        assert refused.status_code == 403, path
        assert refused.json() == SUSPENDED
    assert (await alice.post("/api/articles", {"article": {"title": "t"}})).status_code == 403
    login = await client.post(
        "/api/users/login", json={"user": {"email": alice.email, "password": PASSWORD}}
    )
    assert login.status_code == 403
    assert login.json() == SUSPENDED
    wrong = await client.post(
        "/api/users/login", json={"user": {"email": alice.email, "password": "not it at all"}}
    )
    assert wrong.status_code == 401  # a guesser learns nothing about the suspension

    assert (await act(mod, "DELETE", "/api/admin/users/alice/suspend")).status_code == 200
    assert (await alice.get("/api/user")).status_code == 200


async def test_a_suspended_accounts_web_session_ends_and_it_cannot_sign_in(
    browsers: BrowserFactory, alice: Persona, mod: Persona
) -> None:
    browser = await browsers()
    await browser.sign_in("alice")
    assert await browser.signed_in_as() == "alice"
    assert (await act(mod, "POST", "/api/admin/users/alice/suspend")).status_code == 200
    assert await browser.signed_in_as() is None
    page = await browser.sign_in("alice")
    assert page.status_code == 422
    assert "account suspended" in page.text
    assert await browser.signed_in_as() is None
