"""Server-side sessions: opaque ids, fixation, logout, timeouts, password changes, the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from conduit.app import create_app
from conduit.models import WebSession, utcnow
from conduit.settings import Settings
from conduit.web.sessions import hashed
from tests.conftest import _empty_tables
from tests.factories import PASSWORD, Persona
from tests.web.browser import Browser, csrf_token
from tests.web.conftest import BrowserFactory

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a much better passphrase"


def _session_cookie(browser: Browser) -> str:
    value = browser.http.cookies.get("conduit_session")
    assert value
    return value


async def _rows(db: AsyncEngine) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(WebSession))).scalar_one())


async def test_the_cookie_is_opaque_http_only_and_lax(browser: Browser, db: AsyncEngine) -> None:
    response = await browser.sign_up("alice")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("conduit_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    raw = _session_cookie(browser)
    async with db.connect() as conn:
        stored = (await conn.execute(select(WebSession.id))).scalars().all()
    # Only a hash is stored: the table alone cannot be replayed as a cookie.
    assert stored == [hashed(raw)]
    assert raw not in stored


async def test_over_https_the_cookie_is_secure_and_host_prefixed(browsers: BrowserFactory) -> None:
    browser = await browsers("https://testserver")
    response = await browser.sign_up("alice")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-conduit_session=")
    assert "Secure" in cookie
    assert "Domain" not in cookie
    page = await browser.get("/")
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert await browser.signed_in_as() == "alice"


async def test_signing_in_issues_a_new_id(browser: Browser, db: AsyncEngine) -> None:
    await browser.sign_up("alice")
    before = _session_cookie(browser)
    assert (await browser.sign_in("alice")).status_code == 303
    after = _session_cookie(browser)
    assert after != before
    # The old id died with the new sign-in.
    browser.set_cookie("conduit_session", before)
    assert await browser.signed_in_as() is None
    assert await _rows(db) == 1


async def test_a_planted_session_id_is_not_adopted(browser: Browser) -> None:
    # Session fixation: an id chosen by an attacker is never given a user.
    browser.set_cookie("conduit_session", "attacker-chosen-id")
    await browser.sign_up("alice")
    assert _session_cookie(browser) != "attacker-chosen-id"


async def test_a_foreign_or_forged_session_id_is_refused(
    browsers: BrowserFactory, db: AsyncEngine
) -> None:
    alice = await browsers()
    await alice.sign_up("alice")
    stranger = await browsers()
    # An id's hash is what the database holds; presenting the hash itself gets nobody in.
    async with db.connect() as conn:
        stored = (await conn.execute(select(WebSession.id))).scalar_one()
    for forged in (stored, "x" * 43, "x" * 500):
        stranger.set_cookie("conduit_session", forged)
        response = await stranger.get("/settings")
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert 'conduit_session=""' in response.headers.get("set-cookie", "")


async def test_logout_deletes_the_session_on_the_server(browser: Browser, db: AsyncEngine) -> None:
    await browser.sign_up("alice")
    raw = _session_cookie(browser)
    assert (await browser.post("/logout")).status_code == 303
    assert await _rows(db) == 0
    # Replaying the old cookie (say, copied before logout) gets nobody in.
    browser.set_cookie("conduit_session", raw)
    assert await browser.signed_in_as() is None


async def _age(db: AsyncEngine, **values: object) -> None:
    async with db.begin() as conn:
        await conn.execute(update(WebSession).values(**values))


async def test_an_idle_session_ends(browser: Browser, db: AsyncEngine) -> None:
    await browser.sign_up("alice")
    idle = timedelta(hours=12, minutes=1)
    await _age(db, last_seen_at=utcnow() - idle)
    assert await browser.signed_in_as() is None
    assert await _rows(db) == 0


async def test_an_active_session_still_ends_at_its_absolute_limit(
    browser: Browser, db: AsyncEngine
) -> None:
    await browser.sign_up("alice")
    await _age(db, created_at=utcnow() - timedelta(days=7, minutes=1), last_seen_at=utcnow())
    assert await browser.signed_in_as() is None


async def test_activity_keeps_a_session_alive(browser: Browser, db: AsyncEngine) -> None:
    await browser.sign_up("alice")
    await _age(db, last_seen_at=utcnow() - timedelta(hours=11))
    assert await browser.signed_in_as() == "alice"
    async with db.connect() as conn:
        seen = (await conn.execute(select(WebSession.last_seen_at))).scalar_one()
    assert utcnow() - seen < timedelta(hours=1)


async def test_the_json_api_ignores_the_session_cookie(
    browser: Browser, client: AsyncClient
) -> None:
    await browser.sign_up("alice")
    response = await browser.http.get("/api/user")
    assert response.status_code == 401
    client.cookies.set("conduit_session", _session_cookie(browser))
    assert (await client.get("/api/user")).status_code == 401
    assert (await client.post("/api/articles", json={"article": {}})).status_code == 401


def _settings_form(username: str, **changes: str) -> dict[str, str]:
    form = {"image": "", "username": username, "bio": "", "email": f"{username}@example.com"}
    return {**form, **changes}


async def test_a_password_change_needs_the_current_password(browser: Browser, app: FastAPI) -> None:
    await browser.sign_up("alice")
    resources = app.state.resources
    # Outside the re-authentication window (0 s: every session is "old").
    resources.settings = resources.settings.model_copy(update={"web_reauth_seconds": 0})
    for current in ("", "not my password"):
        response = await browser.post(
            "/settings",
            _settings_form("alice", password=NEW_PASSWORD, current_password=current),
        )
        assert response.status_code == 422
        assert "current password" in response.text
    await browser.post("/logout")
    assert (await browser.sign_in("alice", NEW_PASSWORD)).status_code == 422
    assert (await browser.sign_in("alice", PASSWORD)).status_code == 303


async def test_a_wrong_current_password_is_refused_even_right_after_sign_in(
    browser: Browser,
) -> None:
    await browser.sign_up("alice")
    response = await browser.post(
        "/settings",
        _settings_form("alice", password=NEW_PASSWORD, current_password="not my password"),
    )
    assert response.status_code == 422
    assert "current password is wrong" in response.text


async def test_right_after_sign_in_the_password_changes_without_the_current_one(
    browser: Browser,
) -> None:
    # The contract's settings form has no current-password field; a browser that signed in
    # moments ago has just proved the password (CONDUIT_WEB_REAUTH_SECONDS, default 300 s).
    await browser.sign_up("alice")
    response = await browser.post("/settings", _settings_form("alice", password=NEW_PASSWORD))
    assert response.status_code == 303
    await browser.post("/logout")
    assert (await browser.sign_in("alice", PASSWORD)).status_code == 422
    assert (await browser.sign_in("alice", NEW_PASSWORD)).status_code == 303


async def test_a_password_change_ends_every_other_session_and_api_token(
    browsers: BrowserFactory, client: AsyncClient, db: AsyncEngine
) -> None:
    laptop, phone = await browsers(), await browsers()
    await laptop.sign_up("alice")
    await phone.sign_in("alice")
    login = await client.post(
        "/api/users/login", json={"user": {"email": "alice@example.com", "password": PASSWORD}}
    )
    api_token = login.json()["user"]["token"]

    before = _session_cookie(laptop)
    response = await laptop.post(
        "/settings", _settings_form("alice", password=NEW_PASSWORD, current_password=PASSWORD)
    )
    assert response.status_code == 303
    assert _session_cookie(laptop) != before  # this browser goes on under a new id
    assert await laptop.signed_in_as() == "alice"
    assert await phone.signed_in_as() is None
    assert await _rows(db) == 1
    revoked = await client.get("/api/user", headers={"Authorization": f"Token {api_token}"})
    assert revoked.status_code == 401
    assert (await phone.sign_in("alice", NEW_PASSWORD)).status_code == 303


async def test_a_password_change_through_the_api_ends_web_sessions(
    browser: Browser, alice: Persona
) -> None:
    assert (await browser.sign_in("alice")).status_code == 303
    response = await alice.put("/api/user", {"user": {"password": NEW_PASSWORD}})
    assert response.status_code == 200
    assert await browser.signed_in_as() is None


async def test_other_settings_keep_sessions(browsers: BrowserFactory) -> None:
    laptop, phone = await browsers(), await browsers()
    await laptop.sign_up("alice")
    await phone.sign_in("alice")
    response = await laptop.post("/settings", _settings_form("alice", bio="Hello"))
    assert response.status_code == 303
    assert response.headers["location"] == "/profile/alice"
    assert await phone.signed_in_as() == "alice"


async def test_behind_a_tls_proxy_the_public_origin_decides(
    settings: Settings, migrated: AsyncEngine
) -> None:
    # The proxy speaks HTTPS to the browser and plain HTTP to us.
    public = settings.model_copy(update={"web_origin": "https://conduit.example"})
    await _empty_tables(migrated)
    application = create_app(public)
    async with application.router.lifespan_context(application):
        browser = Browser.open(application)
        try:
            page = await browser.get("/register")
            seed = page.cookies["__Host-conduit_csrf"]
            # httpx will not send a Secure cookie over plain HTTP; the browser (on HTTPS) would.
            browser.http.cookies.clear()
            headers = {"Cookie": f"__Host-conduit_csrf={seed}"}
            form = {
                "username": "alice",
                "email": "alice@example.com",
                "password": PASSWORD,
                "csrf_token": csrf_token(page.text),
            }
            own_host = await browser.http.post(
                "/register", data=form, headers={**headers, "Origin": "http://testserver"}
            )
            assert own_host.status_code == 403  # not the public origin
            response = await browser.http.post(
                "/register", data=form, headers={**headers, "Origin": "https://conduit.example"}
            )
            assert response.status_code == 303
            assert response.headers["set-cookie"].startswith("__Host-conduit_session=")
            assert "Secure" in response.headers["set-cookie"]
            assert "strict-transport-security" in response.headers
        finally:
            await browser.close()


async def test_conduit_https_pins_cookies_behind_a_proxy(
    settings: Settings, migrated: AsyncEngine
) -> None:
    await _empty_tables(migrated)
    application = create_app(settings.model_copy(update={"https": True}))
    async with application.router.lifespan_context(application):
        browser = Browser.open(application)
        try:
            page = await browser.get("/login")
            assert page.headers["set-cookie"].startswith("__Host-conduit_csrf=")
            assert "Secure" in page.headers["set-cookie"]
            assert page.headers["strict-transport-security"].startswith("max-age=")
        finally:
            await browser.close()
