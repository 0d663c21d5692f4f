"""The admin console's pages (``/admin``): dashboard, report queue, tables, details, audit log.

Server-rendered like the rest of the site (same session, CSRF, CSP and headers), usable without
JavaScript. Anonymous visitors are sent to sign in; members get 403."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from starlette.responses import Response

from conduit.errors import Forbidden, NotFound
from conduit.moderation import audit, dashboard, reports, tables
from conduit.moderation.actor import STAFF
from conduit.moderation.audit import AuditFilter
from conduit.moderation.tables import TableQuery
from conduit.params import Slug, UsernameParam
from conduit.web.context import Web, WebContext
from conduit.web.pages import router
from conduit.web.templates import segment

PAGE = 25
STATUSES = {"users": ("active", "suspended"), "articles": ("visible", "hidden")}
STATUSES["comments"] = STATUSES["articles"]


def staff_only(ctx: WebContext, here: str) -> Response | None:
    """A redirect to sign in for anonymous visitors; 403 for members; None for staff."""
    if ctx.viewer is None:
        return ctx.redirect(f"/login?next={segment(here)}".replace("%2F", "/"))
    if ctx.viewer.role not in STAFF:
        raise Forbidden("role")
    return None


def _page(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 else 1


def render(ctx: WebContext, template: str, **values: Any) -> Response:
    values.setdefault("errors", [])
    values.setdefault("notice", "")
    return ctx.render(template, nav="admin", **values)


@router.get("/admin")
async def dashboard_page(ctx: Web) -> Response:
    if (refused := staff_only(ctx, "/admin")) is not None:
        return refused
    return render(ctx, "admin_dashboard.html", overview=await dashboard.overview(ctx.db))


@router.get("/admin/reports")
async def queue_page(ctx: Web, status: str = Query("open"), page: str | None = None) -> Response:
    if (refused := staff_only(ctx, "/admin/reports")) is not None:
        return refused
    status = status if status in (reports.OPEN, reports.RESOLVED) else reports.OPEN
    number = _page(page)
    items, total = await reports.queue(ctx.db, status, PAGE, (number - 1) * PAGE)
    return render(
        ctx,
        "admin_reports.html",
        items=items,
        total=total,
        shown=status,
        page=number,
        size=PAGE,
    )


@router.get("/admin/audit")
async def audit_page(
    ctx: Web,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=32),
    page: str | None = None,
) -> Response:
    if (refused := staff_only(ctx, "/admin/audit")) is not None:
        return refused
    number = _page(page)
    filters = AuditFilter(actor=actor or None, action=action or None)
    entries, total = await audit.entries(ctx.db, filters, PAGE, (number - 1) * PAGE)
    return render(
        ctx,
        "admin_audit.html",
        entries=entries,
        total=total,
        actor=actor or "",
        action=action or "",
        page=number,
        size=PAGE,
    )


def _table_query(
    q: str | None, status: str | None, role: str | None, author: str | None, page: int, kind: str
) -> TableQuery:
    return TableQuery(
        q=(q or "").strip()[:255] or None,
        author=author or None,
        status=status if status in STATUSES[kind] else None,
        role=role if role in ("member", "moderator", "admin") else None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )


@router.get("/admin/{kind}")
async def table_page(
    ctx: Web,
    kind: str,
    q: str | None = Query(None, max_length=255),
    status: str | None = Query(None, max_length=16),
    role: str | None = Query(None, max_length=16),
    author: str | None = Query(None, max_length=64),
    page: str | None = None,
) -> Response:
    if kind not in ("users", "articles", "comments"):
        raise NotFound("page")
    if (refused := staff_only(ctx, f"/admin/{kind}")) is not None:
        return refused
    number = _page(page)
    query = _table_query(q, status, role, author, number, kind)
    lister = {"users": tables.users, "articles": tables.articles, "comments": tables.comments}
    rows, total = await lister[kind](ctx.db, query)
    return render(
        ctx,
        "admin_table.html",
        kind=kind,
        rows=rows,
        total=total,
        query=query,
        statuses=STATUSES[kind],
        page=number,
        size=PAGE,
    )


@router.get("/admin/users/{username}")
async def user_page(ctx: Web, username: UsernameParam) -> Response:
    if (refused := staff_only(ctx, f"/admin/users/{username}")) is not None:
        return refused
    found, _ = await tables.users(ctx.db, TableQuery(exact=username, limit=1))
    if not found:
        raise NotFound("profile")
    user = found[0]
    history, _ = await audit.entries(
        ctx.db, AuditFilter(target_type="user", target_id=user.id), 50, 0
    )
    return render(ctx, "admin_user.html", user=user, history=history)


@router.get("/admin/articles/{slug}")
async def article_detail(ctx: Web, slug: Slug) -> Response:
    if (refused := staff_only(ctx, f"/admin/articles/{slug}")) is not None:
        return refused
    found, _ = await tables.articles(ctx.db, TableQuery(exact=slug, limit=1))
    if not found:
        raise NotFound("article")
    article = found[0]
    flt = AuditFilter(target_type="article", target_id=article.id)
    history, _ = await audit.entries(ctx.db, flt, 50, 0)
    return render(ctx, "admin_article.html", article=article, history=history)
