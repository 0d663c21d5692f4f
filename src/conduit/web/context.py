"""Who is asking (from the session cookie), and the helpers that turn a page into a response.

Every web response goes through ``WebContext.finish`` so that cookies are set consistently:
``__Host-`` prefixed and Secure over HTTPS, HttpOnly and SameSite=Lax always.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from conduit.deps import get_resources, open_unit_of_work
from conduit.identity import Viewer
from conduit.ratelimit import throttle
from conduit.reads.declaration import Read
from conduit.reads.serve import view
from conduit.resources import Resources
from conduit.settings import Settings
from conduit.uow import UnitOfWork
from conduit.web import csrf
from conduit.web.sessions import SessionRecord, SessionStore
from conduit.web.templates import render_page

P = TypeVar("P", bound=BaseModel)
V = TypeVar("V")

SESSION_COOKIE = "conduit_session"
ANON_COOKIE = "conduit_csrf"


def served_over_https(scheme: str, settings: Settings) -> bool:
    """HTTPS as the browser sees it: the request's scheme, or, when a proxy terminates TLS in
    front of a plain-HTTP server, CONDUIT_HTTPS or an https:// CONDUIT_WEB_ORIGIN."""
    return (
        scheme == "https"
        or settings.https
        or (settings.web_origin or "").lower().startswith("https://")
    )


def cookie_name(base: str, secure: bool) -> str:
    # __Host-: the browser accepts it only Secure, for this exact host and path "/".
    return f"__Host-{base}" if secure else base


@dataclass
class WebContext:
    request: Request
    resources: Resources
    uow: UnitOfWork  # the request's: pages read on its session and write through it
    store: SessionStore
    viewer: Viewer | None = None
    session: SessionRecord | None = None
    anon_seed: str = ""
    # Cookie changes to apply to whatever response this request ends with.
    set_session: str | None = None
    drop_session: bool = False
    set_anon: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> AsyncSession:
        return self.uow.session

    @property
    def secure(self) -> bool:
        # The scope's scheme, not ``request.url``: that would build the whole URL for it.
        return served_over_https(self.request.scope["scheme"], self.resources.settings)

    @property
    def csrf_token(self) -> str:
        if self.session is not None:
            return self.session.csrf_token
        return csrf.anonymous_token(self.resources.settings.secret_key, self.anon_seed)

    async def read(self, read: Read[P, V], params: P) -> V:
        """A declared read as this viewer sees it, through the same cache as the API (an
        anonymous miss spends the address's miss budget, as in the API: 429 beyond it)."""
        gate = partial(throttle, self.request, "miss")
        return await view(read, params, self.viewer, self.resources.cache, self.db, gate)

    async def form(self) -> FormData:
        """The posted form, once its origin and synchronizer token have been checked."""
        if not csrf.same_origin(self.request, self.resources.settings.web_origin):
            raise csrf.CsrfRejected()
        form = await self.request.form()
        if not csrf.tokens_match(self.csrf_token, form.get(csrf.FIELD)):
            raise csrf.CsrfRejected()
        if self.viewer is not None:
            # A signed-in form post is a write, throttled like the API's (docs/security.md).
            await throttle(self.request, "write", account=f"user:{self.viewer.id}")
        return form

    async def sign_in(self, user_id: int, token_version: int) -> None:
        # A fresh id at every sign-in: a session id planted before login is worthless after it.
        if self.session is not None:
            await self.store.delete(self.uow, self.session.key)
        raw_id, _ = await self.store.create(self.uow, user_id, token_version)
        self.set_session = raw_id
        self.drop_session = False

    async def sign_out(self) -> None:
        if self.session is not None:
            await self.store.delete(self.uow, self.session.key)
        self.session = None
        self.viewer = None
        self.drop_session = True

    def finish(self, response: Response) -> Response:
        secure = self.secure
        name = cookie_name(SESSION_COOKIE, secure)
        if self.set_session is not None:
            response.set_cookie(
                name, self.set_session, path="/", secure=secure, httponly=True, samesite="lax"
            )
        elif self.drop_session:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
        if self.set_anon:
            response.set_cookie(
                cookie_name(ANON_COOKIE, secure),
                self.anon_seed,
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )
        return response

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        html = render_page(
            template,
            request=self.request,
            viewer=self.viewer,
            csrf_token=self.csrf_token,
            **values,
        )
        # Pages carry a CSRF token and personal data: never stored by shared caches.
        headers = {"Cache-Control": "no-store"}
        return self.finish(HTMLResponse(html, status_code=status, headers=headers))

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))


def get_store(request: Request, resources: Resources) -> SessionStore:
    store: SessionStore | None = getattr(request.app.state, "web_sessions", None)
    if store is None:
        store = SessionStore(resources.settings)
        request.app.state.web_sessions = store
    return store


async def web_context(request: Request) -> WebContext:
    """The page's one dependency (as the API's routes have one: conduit.deps); the request's
    unit of work it opens is closed by ``deps.RequestBoundary``."""
    resources = get_resources(request)
    return await open_context(request, resources, open_unit_of_work(request, resources))


async def open_context(request: Request, resources: Resources, uow: UnitOfWork) -> WebContext:
    store = get_store(request, resources)
    ctx = WebContext(request, resources, uow, store)
    secure = ctx.secure
    raw_id = request.cookies.get(cookie_name(SESSION_COOKIE, secure))
    if raw_id:
        found = await store.load(uow, raw_id)
        if found is not None:
            record, account = found
            if account.accepts(record.token_version, None) and account.suspended_at is None:
                ctx.session = record
                ctx.viewer = account.viewer("", "web-session")
            else:
                # Its password changed elsewhere (or it was suspended): this session has ended.
                await store.delete(uow, record.key)
        if ctx.session is None:
            ctx.drop_session = True
    if ctx.session is None:
        seed = request.cookies.get(cookie_name(ANON_COOKIE, secure), "")
        if not (0 < len(seed) <= 128):
            seed, ctx.set_anon = secrets.token_urlsafe(24), True
        ctx.anon_seed = seed
    # The error pages (rendered by an exception handler) reuse it for the navbar.
    request.state.web = ctx
    return ctx


Web = Annotated[WebContext, Depends(web_context)]


def safe_next(value: object, default: str) -> str:
    """A local path to go back to after a form; anything else (//evil, https://…) → default."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        # Browsers drop tabs and newlines and read "\\" as "/": "/\\evil" would leave the site.
        and not any(ch <= " " or ch == "\\" for ch in value)
    ):
        return value
    return default
