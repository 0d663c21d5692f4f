"""The settings page: profile fields, and a password change that ends every other session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from conduit.errors import AppError
from conduit.models import utcnow
from conduit.users import service as users
from conduit.users.schemas import UserChanges
from conduit.web.context import Web, WebContext
from conduit.web.forms import app_error_messages, parse, text
from conduit.web.pages import router
from conduit.web.templates import segment


def _values(form: FormData) -> dict[str, Any]:
    return {name: text(form, name) for name in ("image", "username", "bio", "email")}


def _recently_signed_in(ctx: WebContext) -> bool:
    """Re-authentication window: a browser that signed in moments ago just proved the password."""
    window = timedelta(seconds=ctx.resources.settings.web_reauth_seconds)
    return ctx.session is not None and utcnow() - ctx.session.created_at <= window


def _page(ctx: WebContext, values: dict[str, Any], errors: list[str], status: int) -> Response:
    return ctx.render("settings.html", status=status, errors=errors, form=values, nav="settings")


@router.get("/settings")
async def settings_page(ctx: Web) -> Response:
    if ctx.viewer is None:
        return ctx.redirect("/login")
    viewer = ctx.viewer
    values = {
        "image": viewer.image or "",
        "username": viewer.username,
        "bio": viewer.bio or "",
        "email": viewer.email,
    }
    return _page(ctx, values, [], 200)


@router.post("/settings")
async def update_settings(ctx: Web) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    values = _values(form)
    password = text(form, "password")
    changes: dict[str, Any] = dict(values)
    if password:
        changes["password"] = password
    data, errors = parse(UserChanges, changes)
    if data is not None and password:
        current = text(form, "current_password")
        if not current and not _recently_signed_in(ctx):
            errors = ["current password can't be blank"]
        elif current and not await users.check_password(
            ctx.db, ctx.resources.hasher, ctx.viewer.id, current
        ):
            errors = ["current password is wrong"]
    if data is None or errors:
        return _page(ctx, values, errors, 422)
    try:
        resources = ctx.resources
        updated = await users.change(ctx.uow, resources.hasher, resources.tokens, ctx.viewer, data)
    except AppError as error:
        return _page(ctx, values, app_error_messages(error), 422)
    if password:
        # users.change bumped token_version, revoking every API token. Every browser session ends
        # too; this browser continues under a new id (and a new CSRF token).
        await ctx.store.end_all(ctx.uow, ctx.viewer.id)
        ctx.session = None
        await ctx.sign_in(ctx.viewer.id, updated.account.token_version)
    return ctx.redirect(f"/profile/{segment(updated.account.username)}")
