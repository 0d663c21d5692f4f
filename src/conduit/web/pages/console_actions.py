"""The admin console's forms: act on the queue, bulk actions on the tables, the detail pages'
actions. Each goes through the same services as the API (one audit row per action, in its
transaction); a role change or a deletion asks for the acting person's password again."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.responses import Response

from conduit.errors import Invalid
from conduit.moderation import accounts, content, reports
from conduit.moderation.actor import Actor, actor_of
from conduit.observability.context import current
from conduit.params import Slug, UsernameParam
from conduit.users.service import check_password
from conduit.web.context import Web, WebContext, safe_next
from conduit.web.forms import text
from conduit.web.pages import router
from conduit.web.pages.console import staff_only
from conduit.web.templates import segment

MAX_BULK = 100


def _actor(ctx: WebContext) -> Actor:
    assert ctx.viewer is not None
    context = current.get()
    return actor_of(
        ctx.viewer, context.client if context else None, context.request_id if context else None
    )


def _reason(form: FormData) -> str:
    reason = text(form, "reason").strip()
    if not reason or len(reason) > 500:
        raise Invalid("reason", "must be 1 to 500 characters")
    return reason


async def _password_again(ctx: WebContext, form: FormData) -> None:
    assert ctx.viewer is not None
    hasher = ctx.resources.hasher
    if not await check_password(ctx.db, hasher, ctx.viewer.id, text(form, "password")):
        raise Invalid("password", "is not your current password")


async def _act_on(ctx: WebContext, actor: Actor, kind: str, key: str, op: str, reason: str) -> None:
    """One action on one item; ``key`` is a username, a slug or a comment id."""
    uow = ctx.uow
    if kind == "users" and op in ("suspend", "reactivate"):
        await accounts.set_suspended(uow, actor, key, op == "suspend", reason)
    elif kind == "articles" and op in ("hide", "unhide"):
        await content.set_article_hidden(uow, actor, key, op == "hide", reason)
    elif kind == "articles" and op == "dismiss":
        await content.dismiss_reports(uow, actor, reports.ARTICLE, key, reason)
    elif kind == "comments" and op in ("hide", "unhide", "dismiss") and key.isdigit():
        if op == "dismiss":
            await content.dismiss_reports(uow, actor, reports.COMMENT, int(key), reason)
        else:
            await content.set_comment_hidden(uow, actor, int(key), op == "hide", reason)
    else:
        raise Invalid("action", "is not available here")


@router.post("/admin/act")
async def act(ctx: Web) -> Response:
    """One action from the queue or a detail page; back to where the form was."""
    form = await ctx.form()
    if (refused := staff_only(ctx, "/admin")) is not None:
        return refused
    kind, key, op = text(form, "kind"), text(form, "key"), text(form, "op")
    await _act_on(ctx, _actor(ctx), kind, key, op, _reason(form))
    return ctx.redirect(safe_next(form.get("next"), "/admin/reports"))


@router.post("/admin/{kind}/bulk")
async def bulk(ctx: Web, kind: str) -> Response:
    """The same action on every selected row, each its own transaction and audit row."""
    form = await ctx.form()
    if (refused := staff_only(ctx, f"/admin/{kind}")) is not None:
        return refused
    selected = [str(value) for value in form.getlist("selected")][:MAX_BULK]
    if not selected:
        raise Invalid("selection", "is empty: tick at least one row")
    op, reason, actor = text(form, "op"), _reason(form), _actor(ctx)
    for key in selected:
        await _act_on(ctx, actor, kind, key, op, reason)
    return ctx.redirect(safe_next(form.get("next"), f"/admin/{segment(kind)}"))


@router.post("/admin/users/{username}/role")
async def change_role(ctx: Web, username: UsernameParam) -> Response:
    form = await ctx.form()
    if (refused := staff_only(ctx, "/admin")) is not None:
        return refused
    await _password_again(ctx, form)
    await accounts.set_role(ctx.uow, _actor(ctx), username, text(form, "role"), _reason(form))
    return ctx.redirect(f"/admin/users/{segment(username)}")


@router.post("/admin/articles/{slug}/delete")
async def delete_article(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if (refused := staff_only(ctx, "/admin")) is not None:
        return refused
    await _password_again(ctx, form)
    await content.delete_article(ctx.uow, _actor(ctx), slug, _reason(form))
    return ctx.redirect("/admin/articles")
