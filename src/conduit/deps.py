"""Request dependencies, as ``Annotated`` aliases the routers and pages import. Only FastAPI
plumbing lives here: who is acting is ``conduit.identity.Viewer``, and what an account may do is
``conduit.users.accounts``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from conduit.errors import Unauthorized
from conduit.identity import Viewer
from conduit.observability.context import set_user
from conduit.resources import Resources
from conduit.security import TokenError
from conduit.uow import UnitOfWork
from conduit.users.accounts import admit


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


async def _resources(request: Request) -> Resources:
    # A coroutine on purpose: FastAPI sends a plain ``def`` dependency to the thread pool, a
    # round trip through another thread on every request for one attribute read.
    return get_resources(request)


AppResources = Annotated[Resources, Depends(_resources)]


async def get_uow(request: Request, resources: AppResources) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work: whatever the handler did not commit is rolled back here, and
    the session goes back to the pool, whatever happened (``UnitOfWork.close`` never raises).
    A GET starts reading in autocommit where that is cheaper (``db.create_read_sessionmaker``)."""
    uow = resources.unit_of_work(reading=request.method in ("GET", "HEAD"))
    try:
        yield uow
    finally:
        await uow.close()


Work = Annotated[UnitOfWork, Depends(get_uow)]


# Declared for the OpenAPI document ("Token" scheme); parsing is ours, so both "Token <jwt>" and
# "Bearer <jwt>" work. auto_error=False: a missing header is decided per endpoint.
_authorization = APIKeyHeader(name="Authorization", scheme_name="Token", auto_error=False)


def _extract(header: str) -> str:
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not credentials.strip():
        raise Unauthorized("is invalid")
    return credentials.strip()


async def _authenticate(header: str, resources: Resources, uow: UnitOfWork) -> Viewer:
    token = _extract(header)
    try:
        claims = resources.tokens.read(token)
    except TokenError:
        raise Unauthorized("is invalid") from None
    # One indexed statement on every request: the database decides, never a cached copy.
    found = await resources.account(claims.user_id, uow.session)
    account = admit(found, claims.version, claims.token_id)
    set_user(account.username)
    return account.viewer(token, claims.token_id)


async def optional_viewer(
    resources: AppResources,
    uow: Work,
    header: Annotated[str | None, Depends(_authorization)],
) -> Viewer | None:
    if header is None:
        return None
    return await _authenticate(header, resources, uow)


async def required_viewer(
    resources: AppResources,
    uow: Work,
    header: Annotated[str | None, Depends(_authorization)],
) -> Viewer:
    if header is None:
        raise Unauthorized("is missing")
    return await _authenticate(header, resources, uow)


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]


async def throttle_writes(request: Request, resources: AppResources, viewer: CurrentViewer) -> None:
    """Every authenticated API write is throttled per account and per address (429)."""
    await resources.limiter.check(request, "write", account=f"user:{viewer.id}")


# On every write route: ``dependencies=[WriteThrottle]``.
WriteThrottle = Depends(throttle_writes)


async def _miss_gate(request: Request, resources: AppResources) -> Callable[[], Awaitable[None]]:
    """Spends one of this address's anonymous cache misses (``reads.serve.Gate``): 429 beyond."""
    return partial(resources.limiter.check, request, "miss")


# A read route's gate for anonymous misses (conduit/reads/serve.py ``cached``).
MissGate = Annotated[Callable[[], Awaitable[None]], Depends(_miss_gate)]
