"""Every state-changing form needs the session's token and our own origin; GET changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.models import Article, Favorite
from tests.factories import Persona
from tests.web.browser import Browser
from tests.web.conftest import BrowserFactory

pytestmark = pytest.mark.anyio

ARTICLE = {"title": "Forged", "description": "d", "body": "b", "tagList": "x"}


async def _articles(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(Article))).scalar_one())


async def test_a_post_without_a_token_is_refused_and_changes_nothing(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    response = await browser.post("/editor", ARTICLE, token="")
    assert response.status_code == 403
    assert '<ul class="error-messages">' in response.text
    assert await _articles(db) == 0


async def test_a_wrong_token_is_refused(browser: Browser, db: AsyncEngine) -> None:
    await browser.sign_up("alice")
    response = await browser.post("/editor", ARTICLE, token="not-the-token")
    assert response.status_code == 403
    assert await _articles(db) == 0


async def test_the_token_of_another_session_is_refused(
    browsers: BrowserFactory, db: AsyncEngine
) -> None:
    victim, attacker = await browsers(), await browsers()
    await victim.sign_up("alice")
    await attacker.sign_up("mallory")
    stolen_from_attacker = await attacker.token("/editor")
    response = await victim.post("/editor", ARTICLE, token=stolen_from_attacker)
    assert response.status_code == 403
    assert await _articles(db) == 0


async def test_a_post_from_another_origin_is_refused_even_with_the_token(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    response = await browser.post("/editor", ARTICLE, origin="https://evil.example")
    assert response.status_code == 403
    response = await browser.post("/editor", ARTICLE, origin="null")
    assert response.status_code == 403
    assert await _articles(db) == 0


async def test_a_post_with_neither_origin_nor_referer_is_refused(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    response = await browser.post("/editor", ARTICLE, origin=None)
    assert response.status_code == 403
    assert await _articles(db) == 0


async def test_our_own_referer_is_enough_when_origin_is_absent(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    token = await browser.token("/editor")
    response = await browser.http.post(
        "/editor",
        data={**ARTICLE, "csrf_token": token},
        headers={"Referer": "http://testserver/editor"},
    )
    assert response.status_code == 303
    foreign = await browser.http.post(
        "/editor",
        data={**ARTICLE, "csrf_token": token},
        headers={"Referer": "http://evil.example/editor"},
    )
    assert foreign.status_code == 403
    assert await _articles(db) == 1


async def test_the_login_form_is_protected_before_there_is_a_session(
    browsers: BrowserFactory, alice: Persona
) -> None:
    browser, other = await browsers(), await browsers()
    form = {"email": alice.email, "password": alice.password}
    assert (await browser.post("/login", form, token="")).status_code == 403
    # A token minted for another browser's anonymous cookie does not fit this one.
    foreign_token = await other.token("/login")
    assert (await browser.post("/login", form, token=foreign_token)).status_code == 403
    assert await browser.signed_in_as() is None
    assert (await browser.sign_in("alice")).status_code == 303
    assert await browser.signed_in_as() == "alice"


async def test_logout_is_a_protected_post(browser: Browser) -> None:
    await browser.sign_up("alice")
    assert (await browser.get("/logout")).status_code == 405
    assert (await browser.post("/logout", token="")).status_code == 403
    assert await browser.signed_in_as() == "alice"
    assert (await browser.post("/logout")).status_code == 303
    assert await browser.signed_in_as() is None


async def test_get_never_changes_state(browser: Browser, alice: Persona, db: AsyncEngine) -> None:
    article = await alice.write()
    await browser.sign_up("bob")
    for path in (
        f"/article/{article['slug']}/favorite",
        f"/article/{article['slug']}/delete",
        "/profile/alice/follow",
    ):
        assert (await browser.get(path)).status_code == 405
    async with db.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Favorite))).scalar_one() == 0
    assert await _articles(db) == 1
