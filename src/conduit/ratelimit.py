"""Throttling for login, registration, writes and anonymous cache misses, per account and per
client address.

Sign-in is also limited per (account, address) pair, and that pair limit is the tight one: a
guesser elsewhere exhausts only its own pair and its own address, never the budget of the owner's
address. The per-account limit is a looser ceiling that bounds a guesser with many addresses; it
only counts attempts that the address and pair limits let through, so one address can spend at
most its pair limit of it (docs/security.md works the numbers).

Counters live in Redis when ``CONDUIT_REDIS_URL`` is set (shared by every worker), otherwise in
process memory. A Redis that fails never fails a request: the limiter counts in memory instead and
tries Redis again after a short pause, so it recovers without a restart.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from conduit.errors import TooManyRequests
from conduit.settings import Settings

log = logging.getLogger(__name__)

# How long a failed Redis is left alone before the limiter tries it again.
REDIS_RETRY_SECONDS = 5.0
# Addresses this process is refusing, remembered so a refusal can be repeated without asking the
# storage again (``refusing``); cleared when full, which only costs a storage round trip each.
MAX_REFUSED = 10_000

# One setting may hold several windows ("10/minute;100/hour"): all of them apply.
Rate = tuple[RateLimitItem, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One limit: ``name`` keys the counters; rates per account, per address, and (optionally)
    per account-and-address pair."""

    name: str
    account: Rate
    address: Rate
    pair: Rate = ()


def _rate(value: str) -> Rate:
    return tuple(parse_many(value))


class RateLimiter:
    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        self.enabled = settings.rate_limit_enabled
        self.rules = {
            "login": Rule(
                "login",
                _rate(settings.rate_limit_login_account),
                _rate(settings.rate_limit_login_address),
                _rate(settings.rate_limit_login_pair),
            ),
            "register": Rule(
                "register",
                _rate(settings.rate_limit_register_account),
                _rate(settings.rate_limit_register_address),
            ),
            "write": Rule(
                "write",
                _rate(settings.rate_limit_write_account),
                _rate(settings.rate_limit_write_address),
            ),
            # Per address only: an anonymous reader has no account (conduit/reads/serve.py).
            "miss": Rule("miss", (), _rate(settings.rate_limit_miss_address)),
        }
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis: MovingWindowRateLimiter | None = None
        if redis is not None:
            # Shares the application's connection pool (and its short timeouts).
            storage: Storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                key_prefix="conduit:rate",
                connection_pool=redis.connection_pool,  # type: ignore[arg-type]
            )
            self._redis = MovingWindowRateLimiter(storage)
        self._redis_down_until = 0.0
        self._refused: dict[tuple[str, str], float] = {}  # (rule, address) -> monotonic until

    async def _hit(self, rate: Rate, *keys: str) -> int:
        """Counts one hit in every window of ``rate``; returns 0 when all allow it, else the
        seconds until they would."""
        waits = [await self._hit_one(item, *keys) for item in rate]
        return max(waits, default=0)

    async def _hit_one(self, item: RateLimitItem, *keys: str) -> int:
        limiter = self._memory
        if self._redis is not None and time.monotonic() >= self._redis_down_until:
            limiter = self._redis
        try:
            return await self._hit_with(limiter, item, keys)
        except Exception:  # any storage failure degrades to memory; never a 500
            if limiter is self._memory:
                raise
            log.warning("rate limit storage unavailable; counting in memory", exc_info=True)
            self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            return await self._hit_with(self._memory, item, keys)

    @staticmethod
    async def _hit_with(
        limiter: MovingWindowRateLimiter, item: RateLimitItem, keys: tuple[str, ...]
    ) -> int:
        if await limiter.hit(item, *keys):
            return 0
        stats = await limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, request: Request, rule_name: str, account: str | None = None) -> None:
        """Counts this request against ``rule_name`` for its address (and ``account``, if known);
        raises 429 with Retry-After when a limit is reached.

        In order, stopping at the first refusal: address, pair, account. A refused attempt is not
        counted further on, so the shared per-account ceiling only ever sees what one address's
        own limits let through.
        """
        if not self.enabled:
            return
        rule = self.rules[rule_name]
        address = self.address(request)
        wait = await self._hit(rule.address, rule.name, "ip", address)
        if wait:
            self._remember(rule.name, address, wait)
        elif account is not None:
            if rule.pair:
                wait = await self._hit(rule.pair, rule.name, "pair", account, address)
            if not wait:
                wait = await self._hit(rule.account, rule.name, "account", account)
        if wait:
            raise TooManyRequests(wait)

    def _remember(self, rule_name: str, address: str, wait: int) -> None:
        if len(self._refused) >= MAX_REFUSED:
            self._refused.clear()
        self._refused[(rule_name, address)] = time.monotonic() + wait

    def refusing(self, rule_name: str, address: str) -> int:
        """Seconds for which this process already knows ``address`` is refused under
        ``rule_name`` (0: not known to be). The storage said so and its window frees no sooner,
        so the fast path can refuse a cache-filler's next miss without the full stack
        (conduit/api/fastpath.py): the refusal then costs about as little as a hit."""
        until = self._refused.get((rule_name, address))
        if until is None:
            return 0
        left = until - time.monotonic()
        if left <= 0:
            del self._refused[(rule_name, address)]
            return 0
        return math.ceil(left)

    @staticmethod
    def address(request: Request) -> str:
        # Behind CONDUIT_TRUSTED_PROXIES, the proxy-headers middleware (conduit.observability) has
        # already replaced the peer with the rightmost untrusted X-Forwarded-For hop.
        return request.client.host if request.client else "unknown"


async def throttle(request: Request, rule_name: str, account: str | None = None) -> None:
    """The reusable entry point (API routes, web form handlers): raises 429 when over a limit."""
    limiter: RateLimiter = request.app.state.resources.limiter
    await limiter.check(request, rule_name, account)
