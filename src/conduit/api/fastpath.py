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
from urllib.parse import parse_qsl

import jwt
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Receive, Scope, Send

from conduit import generations
from conduit.api import presenter
from conduit.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from conduit.api.reads import ARTICLE_NAMES, comment_names, feed_key, list_key, marks, relations_key
from conduit.cache import hooks
from conduit.cache.entries import Entry, Marks
from conduit.errors import AppError
from conduit.profiles.relations import Relations
from conduit.resources import Resources
from conduit.security import TokenClaims, TokenError
from conduit.users.accounts import Account, admit, load_account

_HEADERS_TYPE = (b"content-type", b"application/json; charset=utf-8")
_FILTERS = ("tag", "author", "favorited")
_MAX_FILTER = 255
_MAX_TOKENS = 10_000


@dataclass(frozen=True, slots=True)
class Template:
    """Stands for the matched route in ``scope["route"]``: metrics label hits by its template."""

    path_format: str


_TEMPLATES = {
    kind: Template(path)
    for kind, path in {
        "tags": "/api/tags",
        "account": "/api/user",
        "profile": "/api/profiles/{username}",
        "articles": "/api/articles",
        "feed": "/api/articles/feed",
        "article": "/api/articles/{slug}",
        "comments": "/api/articles/{slug}/comments",
    }.items()
}


@dataclass(frozen=True, slots=True)
class Plan:
    """What one request needs: the entry key, its generations, and whether a viewer is required."""

    kind: str
    key: str
    names: tuple[str, ...]
    needs_viewer: bool = False
    personal: bool = False  # the entry belongs to the viewer (the feed): keyed by their id


def _plain(value: str) -> bool:
    """What the API's lookup keys take as is (others it normalises: the full stack decides)."""
    return value == value.strip() and value.isprintable()


def _number(raw: str, low: int, high: int) -> int | None:
    if not (raw.isascii() and raw.isdigit()) or (len(raw) > 1 and raw[0] == "0") or len(raw) > 10:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _paging(query: str, filters: Sequence[str]) -> tuple[dict[str, str], int, int] | None:
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in params or (name not in filters and name not in ("limit", "offset")):
            return None
        params[name] = value
    limit = _number(params.pop("limit", str(DEFAULT_LIMIT)), 1, MAX_LIMIT)
    offset = _number(params.pop("offset", "0"), 0, MAX_OFFSET)
    if limit is None or offset is None:
        return None
    if any(len(v) > _MAX_FILTER or not _plain(v) for v in params.values()):
        return None
    return params, limit, offset


def plan(path: str, query: bytes, user_id: int | None) -> Plan | None:
    parts = path.split("/")  # "", "api", resource, ...
    if len(parts) < 3 or parts[1] != "api" or "" in parts[2:]:
        return None
    if not all(_plain(part) for part in parts):
        return None
    resource, rest = parts[2], parts[3:]
    shown = ARTICLE_NAMES
    if resource == "tags" and not rest:
        return Plan("tags", "tags:", (generations.TAGS,))
    if resource == "user" and not rest:
        return Plan("account", "", (), needs_viewer=True)
    if resource == "profiles" and len(rest) == 1:
        return Plan("profile", f"profile:{rest[0]}", (generations.USERS,))
    if resource != "articles":
        return None
    if not rest or rest == ["feed"]:
        paging = _paging(query.decode("latin-1"), () if rest else _FILTERS)
        if paging is None:
            return None
        filters, limit, offset = paging
        if rest:
            if user_id is None:
                return None
            return Plan("feed", feed_key(user_id, limit, offset), shown, True, True)
        key = list_key(
            filters.get("tag"), filters.get("author"), filters.get("favorited"), limit, offset
        )
        return Plan("articles", key, shown)
    if len(rest) == 1:
        return Plan("article", f"article:{rest[0]}", shown)
    if len(rest) == 2 and rest[1] == "comments":
        return Plan("comments", f"comments:{rest[0]}", comment_names(rest[0]))
    return None


class CachedReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._claims: dict[str, tuple[TokenClaims, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        body = await self._answer(scope)
        if body is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = _TEMPLATES[scope["conduit.cache.kind"]]
        length = (b"content-length", str(len(body)).encode())
        await send(
            {"type": "http.response.start", "status": 200, "headers": [length, _HEADERS_TYPE]}
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope) -> bytes | None:
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
        step = plan(scope["path"], scope["query_string"], user_id)
        if step is None or (step.needs_viewer and claims is None):
            return None
        own: Marks | None = None
        entry: Entry | None = None
        if step.kind != "account":  # /api/user is the account itself: nothing cached to read
            shared = len(step.names)
            names = step.names
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
                own = marks(relations)
            entry = entries.get(step.key, tags if step.personal else tags[:shared])
            if entry is None:
                return None  # counted as a miss by the full stack, which fills it
        if claims is not None:
            # Last, so that a miss costs no statement here: the full stack authenticates then.
            account = await self._account(resources, claims)
            if account is None:
                return None  # refused, or the database failed: the full stack answers
            if entry is not None and (account.role != "member" or account.hidden_content):
                return None  # sees hidden content: never from shared entries (visibility.py)
            if entry is None:
                scope["conduit.cache.kind"] = "account"
                hooks.record("account", True)
                return presenter.dumps(presenter.user_response(account, token or ""))
        assert entry is not None
        scope["conduit.cache.kind"] = step.kind
        hooks.record(step.kind, True)
        return entry.for_viewer(own)

    async def _account(self, resources: Resources, claims: TokenClaims) -> Account | None:
        try:
            async with (resources.lookups or resources.engine).connect() as conn:
                found = await load_account(conn, claims.user_id)
            return admit(found, claims.version, claims.token_id)
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
