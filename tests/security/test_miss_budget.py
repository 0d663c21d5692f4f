"""The per-address budget of anonymous cache misses (issue 11: a cache-filling client).

A miss runs a database page of work while a hit costs almost nothing, so one anonymous client
asking for pages no one asked for before would take most of a worker's CPU from everyone reading
cached pages. Its misses are held to ``CONDUIT_RATE_LIMIT_MISS_ADDRESS`` per address (429 +
Retry-After beyond it); its hits, signed-in readers and other addresses are not affected.
"""

from __future__ import annotations

import anyio
import pytest
from fastapi import FastAPI, Request

from conduit.errors import TooManyRequests
from conduit.ratelimit import RateLimiter
from conduit.settings import Settings
from tests.factories import PASSWORD
from tests.security.conftest import assert_throttled, client_from, running

pytestmark = pytest.mark.anyio

FILLER = "192.0.2.41"


async def test_it_refuses_an_anonymous_filler_past_its_misses_but_serves_its_hits(
    settings: Settings, app: FastAPI
) -> None:
    async with running(
        settings, client_host=FILLER, rate_limit_enabled=True, rate_limit_miss_address="3/minute"
    ) as (application, http):
        statuses = [(await http.get(f"/api/articles?limit={n}")).status_code for n in (1, 2, 3)]
        assert statuses == [200, 200, 200]
        assert_throttled(await http.get("/api/articles?limit=4"))
        assert_throttled(await http.get("/api/profiles/nobody-asked-before"))
        # What is cached costs nothing and is still served.
        assert (await http.get("/api/articles?limit=2")).status_code == 200
        # A page's miss spends the same budget: an error page, with Retry-After.
        page = await http.get("/?page=7")
        assert page.status_code == 429
        assert int(page.headers["retry-after"]) >= 1
        assert "text/html" in page.headers["content-type"]
        # Another address has its own budget.
        async with client_from(application, "192.0.2.42") as other:
            assert (await other.get("/api/articles?limit=4")).status_code == 200


async def test_it_repeats_a_refusal_without_the_full_stack(
    settings: Settings, app: FastAPI
) -> None:
    async with running(
        settings, client_host=FILLER, rate_limit_enabled=True, rate_limit_miss_address="1/minute"
    ) as (application, http):
        assert (await http.get("/api/articles?limit=1")).status_code == 200
        first = await http.get("/api/articles?limit=2")  # refused by the limiter (full stack)
        assert_throttled(first)
        limiter: RateLimiter = application.state.resources.limiter
        asked: list[str] = []
        check = limiter.check

        async def spy(request: Request, rule: str, account: str | None = None) -> None:
            asked.append(rule)
            await check(request, rule, account)

        limiter.check = spy  # type: ignore[method-assign,assignment]
        again = await http.get("/api/articles?limit=3")  # answered by the fast path
        assert_throttled(again)
        assert asked == []
        # A signed-in reader's miss is never refused, and the full stack still decides for it.
        user = {"username": "reader", "email": "reader@example.com", "password": PASSWORD}
        token = (await http.post("/api/users", json={"user": user})).json()["user"]["token"]
        headers = {"Authorization": f"Token {token}"}
        assert (await http.get("/api/articles?limit=4", headers=headers)).status_code == 200
        # An entry made stale by a write is a miss too: refused the same way.
        article = {"article": {"title": "Fresh", "description": "d", "body": "b"}}
        assert (await http.post("/api/articles", json=article, headers=headers)).status_code == 201
        assert_throttled(await http.get("/api/articles?limit=1"))
        assert "miss" not in asked


async def test_the_limiter_remembers_a_refusal_only_for_as_long_as_it_lasts(
    settings: Settings,
) -> None:
    limiter = RateLimiter(
        settings.model_copy(
            update={"rate_limit_enabled": True, "rate_limit_miss_address": "2/second"}
        ),
        None,
    )
    request = Request({"type": "http", "client": (FILLER, 1), "headers": []})
    await limiter.check(request, "miss")
    await limiter.check(request, "miss")
    assert limiter.refusing("miss", FILLER) == 0  # nothing refused yet
    with pytest.raises(TooManyRequests):
        await limiter.check(request, "miss")
    assert limiter.refusing("miss", FILLER) == 1
    assert limiter.refusing("miss", "192.0.2.99") == 0
    await anyio.sleep(1.1)
    assert limiter.refusing("miss", FILLER) == 0
    await limiter.check(request, "miss")  # the window moved on


async def test_it_never_spends_a_signed_in_readers_budget(settings: Settings, app: FastAPI) -> None:
    async with running(
        settings, client_host=FILLER, rate_limit_enabled=True, rate_limit_miss_address="2/minute"
    ) as (_, http):
        user = {"username": "reader", "email": "reader@example.com", "password": PASSWORD}
        response = await http.post("/api/users", json={"user": user})
        headers = {"Authorization": f"Token {response.json()['user']['token']}"}
        for n in range(1, 6):
            assert (await http.get(f"/api/articles?limit={n}", headers=headers)).status_code == 200
        # The budget is still whole for this address's anonymous reads.
        assert (await http.get("/api/articles?limit=6")).status_code == 200
        assert (await http.get("/api/articles?limit=7")).status_code == 200
        assert_throttled(await http.get("/api/articles?limit=8"))


async def test_it_has_no_miss_budget_when_the_cache_is_off(
    settings: Settings, app: FastAPI
) -> None:
    # With the cache off every read costs the database alike: there is no cheap hit for a
    # filler to crowd out, so reads are not held to the miss budget (docs/security.md).
    async with running(
        settings,
        client_host=FILLER,
        cache_enabled=False,
        rate_limit_enabled=True,
        rate_limit_miss_address="1/minute",
    ) as (_, http):
        for n in range(1, 5):
            assert (await http.get(f"/api/articles?limit={n}")).status_code == 200


async def test_the_default_budget_lets_a_burst_of_distinct_reads_through(
    settings: Settings, app: FastAPI
) -> None:
    """A client loading pages quickly (an app's first screens, a conformance suite's reads) makes
    a burst of distinct misses, well within the default budget."""
    defaults = Settings(_env_file=None, database_url=settings.database_url)
    async with running(
        settings,
        client_host=FILLER,
        rate_limit_enabled=True,
        rate_limit_miss_address=defaults.rate_limit_miss_address,
    ) as (_, http):
        for n in range(1, 26):
            assert (await http.get(f"/api/articles?limit={n}")).status_code == 200
