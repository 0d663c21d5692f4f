"""What an API route receives: one ``Call`` (the app's resources, the request's unit of work, who
is asking), from one dependency. Only FastAPI plumbing lives here: who is acting is
``conduit.identity.Viewer``, and what an account may do is ``conduit.users.accounts``.

One dependency per route, not a tree of small ones, because FastAPI solves a dependency's own
dependencies again each time another one names it, before looking in its per-request cache: the
former tree (resources, unit of work, viewer, header, miss gate, write throttle) made 11 nested
solves per read and cost about a third of a database-path read's CPU in py-spy
(docs/performance.md, "Where the time went").

The dependency is a plain coroutine, not a generator: the request's unit of work is closed by
``RequestBoundary``, a pure ASGI middleware, just before the response starts. A generator
dependency costs FastAPI a context manager and two exit-stack passes per request (~7% of a
database-path read's CPU in py-spy), and by default it would close only after the response had
been sent, holding a read session's connection while a slow client takes its bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conduit.errors import Unauthorized
from conduit.identity import Viewer
from conduit.observability.context import set_user
from conduit.resources import Resources
from conduit.security import TokenError
from conduit.uow import UnitOfWork
from conduit.users.accounts import admit

V = TypeVar("V", Viewer, Viewer | None, None)


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


# The scope key under which ``RequestBoundary`` keeps the units of work a request opened: a list
# it creates, so that a copy of the scope made further in still shares it.
_OPENED = "conduit.units_of_work"


def open_unit_of_work(request: Request, resources: Resources) -> UnitOfWork:
    """The request's unit of work, closed by ``RequestBoundary`` before the response starts
    (``UnitOfWork.close`` never raises). A GET starts reading in autocommit where that is
    cheaper (``db.create_read_sessionmaker``)."""
    uow = resources.unit_of_work(reading=request.method in ("GET", "HEAD"))
    request.scope[_OPENED].append(uow)
    return uow


class RequestBoundary:
    """Closes the units of work a request opened: when its response starts (its body is built by
    then, and nothing may hold a database connection while the client reads it), or when the
    request ends without one (an error on its way to the server's 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        opened: list[UnitOfWork] = []
        scope[_OPENED] = opened

        async def closing_send(message: Message) -> None:
            if opened and message["type"] == "http.response.start":
                await _close(opened)
            await send(message)

        try:
            await self.app(scope, receive, closing_send)
        finally:
            if opened:
                await _close(opened)


async def _close(opened: list[UnitOfWork]) -> None:
    while opened:
        await opened.pop().close()


@dataclass(slots=True)
class Call(Generic[V]):
    """One API request as its route sees it. ``viewer`` is None for an anonymous caller."""

    request: Request
    resources: Resources
    uow: UnitOfWork
    viewer: V

    async def gate(self) -> None:
        """Spends one of this address's anonymous cache misses (``reads.serve.Gate``): 429
        beyond the budget."""
        await self.resources.limiter.check(self.request, "miss")


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


async def _anyone(request: Request) -> Call[None]:
    resources = get_resources(request)
    return Call(request, resources, open_unit_of_work(request, resources), None)


class Caller(APIKeyHeader):
    """A route's one dependency where a token counts, read from the ``Authorization`` header.

    It is the header's security scheme too (``Token``, for the OpenAPI document: FastAPI lists a
    dependency that is a security scheme), so the header is not a dependency of its own. Both
    ``Token <jwt>`` and ``Bearer <jwt>`` work. In order: 401 without a valid token when one is
    required, 429 for an account over its write budget (``throttle``), then ``check`` (a role,
    403); the body is validated after all of them."""

    def __init__(
        self,
        *,
        required: bool,
        throttle: bool = False,
        check: Callable[[Viewer], None] | None = None,
    ) -> None:
        super().__init__(name="Authorization", scheme_name="Token", auto_error=False)
        self.required = required
        self.throttle = throttle
        self.check = check

    async def __call__(self, request: Request) -> Call[Viewer | None]:  # type: ignore[override]
        resources = get_resources(request)
        uow = open_unit_of_work(request, resources)
        header = request.headers.get("authorization")
        viewer = None if header is None else await _authenticate(header, resources, uow)
        if viewer is None and self.required:
            raise Unauthorized("is missing")
        if viewer is not None:
            if self.throttle:
                # Every authenticated API write is throttled per account and per address.
                await resources.limiter.check(request, "write", account=f"user:{viewer.id}")
            if self.check is not None:
                self.check(viewer)
        return Call(request, resources, uow, viewer)


# The aliases routes take (a route names exactly one of them).
Anyone = Annotated[Call[None], Depends(_anyone)]
MaybeSignedIn = Annotated[Call[Viewer | None], Depends(Caller(required=False))]
SignedIn = Annotated[Call[Viewer], Depends(Caller(required=True))]
Writer = Annotated[Call[Viewer], Depends(Caller(required=True, throttle=True))]
