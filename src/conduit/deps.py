"""Request dependencies, as ``Annotated`` aliases the routers import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession

from conduit.cache.viewers import account
from conduit.errors import Unauthorized
from conduit.observability.context import set_user
from conduit.resources import Resources
from conduit.security import TokenError

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


AppResources = Annotated[Resources, Depends(get_resources)]


async def get_session(resources: AppResources) -> AsyncIterator[AsyncSession]:
    async with resources.sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated user of this request, and which token they presented."""

    id: int
    username: str
    email: str
    bio: str | None
    image: str | None
    token: str
    token_id: str
    token_version: int


# Declared for the OpenAPI document ("Token" scheme); parsing is ours, so both "Token <jwt>" and
# "Bearer <jwt>" work. auto_error=False: a missing header is decided per endpoint.
_authorization = APIKeyHeader(name="Authorization", scheme_name="Token", auto_error=False)


def _extract(header: str) -> str:
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not credentials.strip():
        raise Unauthorized("is invalid")
    return credentials.strip()


async def _authenticate(header: str, resources: Resources, session: AsyncSession) -> Viewer:
    token = _extract(header)
    try:
        claims = resources.tokens.read(token)
    except TokenError:
        raise Unauthorized("is invalid") from None
    # One SELECT, or none while the account's cache generation is unchanged.
    row = await account(resources.cache, session, claims.user_id)
    if row is None:
        raise Unauthorized("is invalid")
    if not row.accepts(claims.version, claims.token_id):
        raise Unauthorized("is revoked")
    set_user(row.username)
    return Viewer(
        row.id,
        row.username,
        row.email,
        row.bio,
        row.image,
        token,
        claims.token_id,
        row.token_version,
    )


async def optional_viewer(
    resources: AppResources,
    session: Session,
    header: Annotated[str | None, Depends(_authorization)],
) -> Viewer | None:
    if header is None:
        return None
    return await _authenticate(header, resources, session)


async def required_viewer(
    request: Request,
    resources: AppResources,
    session: Session,
    header: Annotated[str | None, Depends(_authorization)],
) -> Viewer:
    if header is None:
        raise Unauthorized("is missing")
    viewer = await _authenticate(header, resources, session)
    if request.method not in _READS:
        # Every authenticated write is throttled per account and per address.
        await resources.limiter.check(request, "write", account=f"user:{viewer.id}")
    return viewer


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]
