"""Throttling: per account and per address, 429 + Retry-After, Redis or memory, proxies."""

from __future__ import annotations

import secrets

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from redis.asyncio import Redis

from conduit.ratelimit import RateLimiter
from conduit.settings import Settings
from tests.factories import PASSWORD
from tests.security.conftest import REDIS_URL, assert_throttled, client_from, running
from tests.web.browser import Browser

pytestmark = pytest.mark.anyio


async def _login(http: AsyncClient, email: str, password: str = "wrong password") -> Response:  # noqa: S107
    return await http.post(
        "/api/users/login", json={"user": {"email": email, "password": password}}
    )


async def _register(http: AsyncClient, name: str) -> Response:
    return await http.post(
        "/api/users",
        json={"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}},
    )


async def test_login_is_throttled_per_account_and_address_without_locking_out_others(
    settings: Settings, app: FastAPI
) -> None:
    async with running(settings, rate_limit_enabled=True) as (_, http):
        assert (await _register(http, "victim")).status_code == 201
        assert (await _register(http, "bystander")).status_code == 201
        for _ in range(10):
            assert (await _login(http, "victim@example.com")).status_code == 401
        assert_throttled(await _login(http, "victim@example.com"))
        # Even the right password waits here: the limit is on attempts, not on failures.
        assert_throttled(await _login(http, "victim@example.com", PASSWORD))
        assert (await _login(http, "bystander@example.com", PASSWORD)).status_code == 200


async def test_a_guesser_elsewhere_cannot_lock_the_owner_out(
    settings: Settings, app: FastAPI
) -> None:
    async with running(
        settings,
        rate_limit_enabled=True,
        rate_limit_login_pair="3/minute",
        rate_limit_login_account="12/minute",
    ) as (application, http):
        assert (await _register(http, "owner")).status_code == 201
        async with client_from(application, "203.0.113.66") as guesser:
            statuses = [(await _login(guesser, "owner@example.com")).status_code for _ in range(20)]
        assert statuses == [401] * 3 + [429] * 17
        # The 17 refused guesses spent nothing of the account's ceiling (12): the owner, on
        # their own address, signs in.
        async with client_from(application, "198.51.100.7") as owner:
            assert (await _login(owner, "owner@example.com", PASSWORD)).status_code == 200


async def test_the_account_ceiling_bounds_a_guesser_with_many_addresses(
    settings: Settings, app: FastAPI
) -> None:
    async with running(
        settings,
        rate_limit_enabled=True,
        rate_limit_login_pair="3/minute",
        rate_limit_login_account="6/minute",
    ) as (application, http):
        assert (await _register(http, "target")).status_code == 201
        for address in ("203.0.113.1", "203.0.113.2"):
            async with client_from(application, address) as guesser:
                for _ in range(3):
                    assert (await _login(guesser, "target@example.com")).status_code == 401
        async with client_from(application, "203.0.113.3") as third:
            assert_throttled(await _login(third, "target@example.com"))
        # The documented cost: past the ceiling (6 = two addresses' worth), the owner waits too.
        async with client_from(application, "198.51.100.7") as owner:
            assert_throttled(await _login(owner, "target@example.com", PASSWORD))


def test_a_setting_may_hold_several_windows(settings: Settings) -> None:
    limiter = RateLimiter(
        settings.model_copy(update={"rate_limit_login_account": "5/minute;50/hour"}), None
    )
    assert [str(item) for item in limiter.rules["login"].account] == [
        "5 per 1 minute",
        "50 per 1 hour",
    ]


async def test_login_is_throttled_per_address(settings: Settings, app: FastAPI) -> None:
    async with running(settings, rate_limit_enabled=True, rate_limit_login_address="5/minute") as (
        _,
        http,
    ):
        for i in range(5):
            assert (await _login(http, f"user{i}@example.com")).status_code == 401
        assert_throttled(await _login(http, "someone-else@example.com"))
    # Another address is not affected by the first one's limit.
    async with running(settings, client_host="10.0.0.7", rate_limit_enabled=True) as (_, http):
        assert (await _login(http, "someone-else@example.com")).status_code == 401


async def test_registration_is_throttled_per_address(settings: Settings, app: FastAPI) -> None:
    async with running(settings, rate_limit_enabled=True, rate_limit_register_address="3/hour") as (
        _,
        http,
    ):
        for i in range(3):
            assert (await _register(http, f"new{i}")).status_code == 201
        assert_throttled(await _register(http, "new3"))


async def test_writes_are_throttled_per_account(settings: Settings, app: FastAPI) -> None:
    async with running(settings, rate_limit_enabled=True, rate_limit_write_account="3/minute") as (
        _,
        http,
    ):
        busy = (await _register(http, "busy")).json()["user"]["token"]
        calm = (await _register(http, "calm")).json()["user"]["token"]
        article = {"article": {"title": "t", "description": "d", "body": "b"}}
        for _ in range(3):
            response = await http.post(
                "/api/articles", json=article, headers={"Authorization": f"Token {busy}"}
            )
            assert response.status_code == 201
        assert_throttled(
            await http.post(
                "/api/articles", json=article, headers={"Authorization": f"Token {busy}"}
            )
        )
        assert_throttled(
            await http.put(
                "/api/user", json={"user": {"bio": "x"}}, headers={"Authorization": f"Token {busy}"}
            )
        )
        # Reads are not writes, and the other account writes on.
        assert (
            await http.get("/api/user", headers={"Authorization": f"Token {busy}"})
        ).status_code == 200
        response = await http.post(
            "/api/articles", json=article, headers={"Authorization": f"Token {calm}"}
        )
        assert response.status_code == 201


async def test_writes_are_throttled_per_address(settings: Settings, app: FastAPI) -> None:
    async with running(settings, rate_limit_enabled=True, rate_limit_write_address="4/minute") as (
        _,
        http,
    ):
        tokens = [(await _register(http, f"w{i}")).json()["user"]["token"] for i in range(3)]
        statuses = []
        for token in tokens * 2:
            response = await http.put(
                "/api/user",
                json={"user": {"bio": "b"}},
                headers={"Authorization": f"Token {token}"},
            )
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 200, 429, 429]


async def test_forwarded_for_is_ignored_from_untrusted_peers(
    settings: Settings, app: FastAPI
) -> None:
    async with running(settings, rate_limit_enabled=True, rate_limit_login_address="2/minute") as (
        _,
        http,
    ):
        for i in range(2):
            spoofed = {"X-Forwarded-For": f"203.0.113.{i}"}
            response = await http.post(
                "/api/users/login",
                json={"user": {"email": f"u{i}@example.com", "password": "nope nope"}},
                headers=spoofed,
            )
            assert response.status_code == 401
        response = await http.post(
            "/api/users/login",
            json={"user": {"email": "u9@example.com", "password": "nope nope"}},
            headers={"X-Forwarded-For": "203.0.113.99"},
        )
        assert_throttled(response)


async def test_forwarded_for_is_used_from_a_trusted_proxy(settings: Settings, app: FastAPI) -> None:
    async with running(
        settings,
        client_host="10.1.2.3",
        rate_limit_enabled=True,
        rate_limit_login_address="2/minute",
        trusted_proxies=["10.0.0.0/8"],
    ) as (_, http):

        async def attempt(chain: str) -> int:
            response = await http.post(
                "/api/users/login",
                json={"user": {"email": f"{secrets.token_hex(4)}@example.com", "password": "nope"}},
                headers={"X-Forwarded-For": chain},
            )
            return response.status_code

        # The client is the rightmost hop that is not a trusted proxy; what it prepends is ignored.
        assert await attempt("1.1.1.1, 198.51.100.1") == 401
        assert await attempt("2.2.2.2, 198.51.100.1, 10.9.9.9") == 401
        assert await attempt("3.3.3.3, 198.51.100.1") == 429
        assert await attempt("198.51.100.2") == 401


async def test_one_setting_turns_throttling_off(settings: Settings, app: FastAPI) -> None:
    async with running(settings, rate_limit_enabled=False, rate_limit_login_account="1/minute") as (
        _,
        http,
    ):
        for _ in range(5):
            assert (await _login(http, "anyone@example.com")).status_code == 401


async def test_counters_live_in_redis_when_configured(settings: Settings, app: FastAPI) -> None:
    email = f"redis-{secrets.token_hex(4)}@example.com"
    async with running(
        settings, rate_limit_enabled=True, redis_url=REDIS_URL, rate_limit_login_account="2/minute"
    ) as (_, http):
        for _ in range(2):
            assert (await _login(http, email)).status_code == 401
        assert_throttled(await _login(http, email))
    # A second app instance (another worker) shares the counters through Redis.
    async with running(
        settings, rate_limit_enabled=True, redis_url=REDIS_URL, rate_limit_login_account="2/minute"
    ) as (_, http):
        assert_throttled(await _login(http, email))
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in redis.scan_iter(match="conduit:rate*")]
        assert any(email.encode() in key for key in keys)
    finally:
        await redis.aclose()


async def test_a_dead_redis_degrades_to_memory_instead_of_failing(
    settings: Settings, app: FastAPI
) -> None:
    async with running(
        settings,
        rate_limit_enabled=True,
        redis_url="redis://127.0.0.1:6390/0",
        rate_limit_login_account="2/minute",
    ) as (_, http):
        assert (await _login(http, "dead@example.com")).status_code == 401
        assert (await _login(http, "dead@example.com")).status_code == 401
        assert_throttled(await _login(http, "dead@example.com"))


async def test_default_limits_let_a_conformance_burst_through(
    settings: Settings, app: FastAPI
) -> None:
    """The Hurl suite's shape from one address: ~25 registrations and ~80 writes in seconds."""
    defaults = Settings(_env_file=None, database_url=settings.database_url)
    async with running(
        settings,
        rate_limit_enabled=defaults.rate_limit_enabled,
        rate_limit_register_address=defaults.rate_limit_register_address,
        rate_limit_write_address=defaults.rate_limit_write_address,
        rate_limit_write_account=defaults.rate_limit_write_account,
    ) as (_, http):
        assert defaults.rate_limit_enabled
        tokens = [(await _register(http, f"hurl{i}")).json()["user"]["token"] for i in range(25)]
        statuses = []
        for i in range(80):
            auth = {"Authorization": f"Token {tokens[i % 4]}"}
            response = await http.put("/api/user", json={"user": {"bio": str(i)}}, headers=auth)
            statuses.append(response.status_code)
        assert set(statuses) == {200}


async def test_web_form_posts_share_the_limits(settings: Settings, app: FastAPI) -> None:
    async with running(
        settings,
        rate_limit_enabled=True,
        rate_limit_login_account="2/minute",
        rate_limit_write_account="2/minute",
    ) as (application, _):
        browser = Browser.open(application)
        try:
            await browser.sign_up("webby")
            await browser.post("/logout", {})
            for _ in range(2):
                assert (await browser.sign_in("webby", "wrong password")).status_code == 422
            throttled = await browser.sign_in("webby")
            assert throttled.status_code == 429
            assert int(throttled.headers["Retry-After"]) > 0
        finally:
            await browser.close()
    async with running(settings, rate_limit_enabled=True, rate_limit_write_account="2/minute") as (
        application,
        _,
    ):
        browser = Browser.open(application)
        try:
            await browser.sign_in("webby")
            statuses = []
            for i in range(3):
                response = await browser.post("/settings", {"bio": f"bio {i}", "image": ""})
                statuses.append(response.status_code)
            assert 429 not in statuses[:2]
            assert statuses[2] == 429
        finally:
            await browser.close()
