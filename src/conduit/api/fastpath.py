"""Serves cache hits of the hot GET endpoints straight from ASGI, before FastAPI's routing.

Everything it cannot answer exactly as the full stack would (a miss, an unknown token, an unusual
query string, a header it does not expect) falls through to the application unchanged, which then
fills the cache. It is the innermost middleware, so CORS and everything else added later still
wrap its responses.

A request with a token is answered only after its account was checked in the database (one
indexed statement, like the full stack's authentication): no cached copy ever admits anyone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import jwt
from fastapi.routing import iter_route_contexts
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from conduit import generations
from conduit.api import presenter
from conduit.api.reads import READ_ATTRIBUTE
from conduit.cache import hooks
from conduit.cache.entries import Entry, Marks
from conduit.errors import AppError, TooManyRequests, error_body
from conduit.jsonresponse import json_response
from conduit.profiles.relations import Relations
from conduit.reads.declaration import CurrentUser, Read
from conduit.reads.serve import own_ids, relations_key
from conduit.resources import Resources
from conduit.security import TokenClaims, TokenError
from conduit.users.accounts import Account, admit

_HEADERS_TYPE = (b"content-type", b"application/json; charset=utf-8")
_MAX_TOKENS = 10_000
_MAX_PLANS = 4_096
_MAX_REMEMBERED = 600  # characters of path and query: the memory of what it remembers is bounded

Declared = Read[Any, Any] | CurrentUser


@dataclass(frozen=True, slots=True)
class _Candidate:
    prefix: str  # the route's path up to its first parameter: a cheap test before its regex
    route: BaseRoute
    read: Declared | None  # None: a route the fast path never answers (it falls through)


def _candidates(routes: Sequence[BaseRoute]) -> tuple[_Candidate, ...]:
    """The application's own routes, flattened in its order (``iter_route_contexts``: FastAPI's
    view of included routers), that may match a path under /api/, each with the read its endpoint
    declares (``reads.serves``). A route listed earlier wins, exactly as in the router."""
    found = []
    for context in iter_route_contexts(routes):
        path, endpoint = getattr(context, "path", None), context.endpoint
        if not isinstance(path, str):
            continue
        prefix = path.partition("{")[0]
        if not (prefix.startswith("/api") or "/api".startswith(prefix)):
            continue
        methods = context.methods
        if methods and "GET" not in methods:
            continue  # never a full match for a GET: the router goes on to the next route
        route: BaseRoute = context.original_route
        if endpoint is not None and not isinstance(route, Mount):
            # The route as the application serves it (its path includes the router's prefix):
            # Starlette's own matching of the same path and methods.
            route = Route(path, endpoint, methods=list(methods or ()))
        found.append(_Candidate(prefix, route, getattr(endpoint, READ_ATTRIBUTE, None)))
    return tuple(found)


def route_of(
    candidates: Sequence[_Candidate], scope: Scope
) -> tuple[BaseRoute, Declared, dict[str, Any]] | None:
    """The route the application would run for this GET, if it declares a read; with its path
    parameters (Starlette's own matching: no route table of our own)."""
    path = scope["path"]
    for candidate in candidates:
        if not path.startswith(candidate.prefix):
            continue
        match, child = candidate.route.matches(scope)
        if match is Match.FULL:
            if candidate.read is None:
                return None
            return candidate.route, candidate.read, child["path_params"]
    return None


def params_of(read: Read[Any, Any], path_params: dict[str, Any], query: bytes) -> Any:
    """The read's parameters, validated by its own model; None for what the full stack should
    judge (a repeated or unknown parameter, a value the model refuses: the route answers 422)."""
    values = dict(path_params)
    fields = read.params.model_fields
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in values or name not in fields:
            return None
        values[name] = value
    try:
        return read.parse(values)
    except ValidationError:
        return None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What one path and query string mean (a pure function of them, so it is remembered)."""

    route: BaseRoute
    read: Declared
    params: Any = None
    key: str | None = None  # None for a personal read: keyed by the reader
    names: tuple[str, ...] = ()


def plan(candidates: Sequence[_Candidate], scope: Scope) -> _Plan | None:
    found = route_of(candidates, scope)
    if found is None:
        return None
    route, read, path_params = found
    if not isinstance(read, Read):
        return _Plan(route, read)
    params = params_of(read, path_params, scope["query_string"])
    if params is None:
        return None
    if read.personal:
        return _Plan(route, read, params)
    return _Plan(route, read, params, read.key(params, None), read.depends_on(params, None))


class CachedReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._claims: dict[str, tuple[TokenClaims, float]] = {}
        self._routes: tuple[_Candidate, ...] | None = None
        # Routing and validation results by (path, query string): a hit skips both.
        self._plans: dict[tuple[str, bytes], _Plan | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        body = await self._answer(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        if isinstance(body, Response):
            await body(scope, receive, send)
            return
        length = (b"content-length", str(len(body)).encode())
        await send(
            {"type": "http.response.start", "status": 200, "headers": [length, _HEADERS_TYPE]}
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope) -> bytes | Response | None:
        resources: Resources | None = getattr(scope["app"].state, "resources", None)
        cache = resources.cache if resources else None
        if cache is None or resources is None:
            return None
        token = self._token(scope)
        if token == "":
            return None  # a header we do not handle: the full stack decides
        claims = self._claims_of(resources, token) if token else None
        if token and claims is None:
            return None
        user_id = claims.user_id if claims else None
        step = self._plan(scope)
        if step is None:
            return None
        read = step.read
        own: Marks | None = None
        entry: Entry | None = None
        if isinstance(read, Read):
            if step.key is None:  # personal: the reader is part of the key and generations
                if user_id is None:
                    return None  # the full stack answers 401
                key = read.key(step.params, user_id)
                names = read.depends_on(step.params, user_id)
            else:
                key, names = step.key, step.names
            # Certainly a miss when nothing is stored: a refused address learns so without a
            # generation read.
            if (
                user_id is None
                and key not in cache.entries
                and (refused := self._refused(resources, scope))
            ):
                scope["route"] = step.route
                return refused
            shared = len(names)
            if user_id is not None:
                names = (*names, generations.relations_of(user_id))
            tags = await cache.read(names)
            if tags is None:
                return None
            entries = cache.entries
            if user_id is not None:
                relations: Relations | None = entries.get(relations_key(user_id), tags[shared:])
                if relations is None:
                    return None
                own = own_ids(relations)
            entry = entries.get(key, tags[:shared])
            if entry is None:
                if user_id is None and (refused := self._refused(resources, scope)):
                    scope["route"] = step.route
                    return refused
                return None  # counted as a miss by the full stack, which fills it
        elif claims is None:
            return None  # the current user needs one: the full stack answers 401
        if claims is not None:
            # Last, so that a miss costs no statement here: the full stack authenticates then.
            account = await self._account(resources, claims)
            if account is None:
                return None  # refused, or the database failed: the full stack answers
            if entry is not None and (account.role != "member" or account.hidden_content):
                return None  # sees hidden content: never from shared entries (visibility.py)
            if entry is None:
                scope["route"] = step.route
                hooks.record(read.kind, True)
                return presenter.dumps(presenter.user_response(account, token or ""))
        assert entry is not None
        scope["route"] = step.route  # metrics and the access log label it like the full stack
        hooks.record(read.kind, True)
        return entry.for_viewer(own)

    @staticmethod
    def _refused(resources: Resources, scope: Scope) -> Response | None:
        """The full stack's answer to an anonymous miss from an address already over its miss
        budget (conduit/ratelimit.py), without the full stack: the same 429 and body."""
        client = scope.get("client")
        wait = resources.limiter.refusing("miss", client[0] if client else "unknown")
        if not wait:
            return None
        refusal = TooManyRequests(wait)
        return json_response(error_body(refusal.errors), refusal.status_code, refusal.headers)

    def _plan(self, scope: Scope) -> _Plan | None:
        if self._routes is None:
            self._routes = _candidates(scope["app"].router.routes)
        memo = (scope["path"], scope["query_string"])
        if memo in self._plans:
            return self._plans[memo]
        step = plan(self._routes, scope)
        if len(memo[0]) + len(memo[1]) <= _MAX_REMEMBERED:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[memo] = step
        return step

    async def _account(self, resources: Resources, claims: TokenClaims) -> Account | None:
        try:
            return admit(await resources.account(claims.user_id), claims.version, claims.token_id)
        except (AppError, SQLAlchemyError, OSError, TimeoutError):
            return None

    @staticmethod
    def _token(scope: Scope) -> str | None:
        """None without an Authorization header; "" for one this path does not handle."""
        found: str | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if found is not None:
                    return ""
                scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
                credentials = credentials.strip()
                if scheme.lower() not in ("token", "bearer") or not credentials:
                    return ""
                found = credentials
        return found

    def _claims_of(self, resources: Resources, token: str) -> TokenClaims | None:
        known = self._claims.get(token)
        now = time.time()
        if known is not None:
            return known[0] if known[1] > now else None
        try:
            claims = resources.tokens.read(token)
            expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        except (TokenError, jwt.PyJWTError, KeyError, TypeError, ValueError):
            return None
        if len(self._claims) >= _MAX_TOKENS:
            self._claims.clear()
        self._claims[token] = (claims, expires)
        return claims
