"""Sign in, sign up and sign out."""

from __future__ import annotations

from starlette.responses import Response

from conduit.errors import AppError
from conduit.ratelimit import throttle
from conduit.users import service as users
from conduit.users.schemas import LoginUser, NewUser
from conduit.web.context import Web, safe_next
from conduit.web.forms import app_error_messages, parse, text
from conduit.web.pages import router


def _next(raw: object) -> str:
    """Where to go after signing in or up: a same-site path only (``safe_next``), else home."""
    return safe_next(raw, "")


@router.get("/login")
async def login_page(ctx: Web) -> Response:
    onward = _next(ctx.request.query_params.get("next"))
    if ctx.viewer is not None:
        return ctx.redirect(onward or "/")
    return ctx.render("auth.html", errors=[], email="", next=onward, nav="login")


@router.post("/login")
async def login(ctx: Web) -> Response:
    form = await ctx.form()
    email, onward = text(form, "email"), _next(form.get("next"))
    data, errors = parse(LoginUser, {"email": email, "password": text(form, "password")})
    if data is not None:
        await throttle(ctx.request, "login", account=data.email)
        try:
            account = await users.authenticate(ctx.uow, ctx.resources.hasher, data)
        except AppError as error:
            errors = app_error_messages(error)
        else:
            await ctx.sign_in(account.id, account.token_version)
            return ctx.redirect(onward or "/")
    return ctx.render("auth.html", status=422, errors=errors, email=email, next=onward, nav="login")


@router.get("/register")
async def register_page(ctx: Web) -> Response:
    onward = _next(ctx.request.query_params.get("next"))
    if ctx.viewer is not None:
        return ctx.redirect(onward or "/")
    return ctx.render("auth.html", errors=[], username="", email="", next=onward, nav="register")


@router.post("/register")
async def register(ctx: Web) -> Response:
    form = await ctx.form()
    username, email = text(form, "username"), text(form, "email")
    onward = _next(form.get("next"))
    data, errors = parse(
        NewUser, {"username": username, "email": email, "password": text(form, "password")}
    )
    if data is not None:
        await throttle(ctx.request, "register", account=data.email)
        try:
            account = await users.create_account(ctx.uow, ctx.resources.hasher, data)
        except AppError as error:
            errors = app_error_messages(error)
        else:
            await ctx.sign_in(account.id, account.token_version)
            return ctx.redirect(onward or "/")
    return ctx.render(
        "auth.html",
        status=422,
        errors=errors,
        username=username,
        email=email,
        next=onward,
        nav="register",
    )


@router.post("/logout")
async def logout(ctx: Web) -> Response:
    await ctx.form()
    await ctx.sign_out()
    return ctx.redirect("/")
