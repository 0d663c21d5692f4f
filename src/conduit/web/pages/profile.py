"""Profile pages: an author's articles, the articles they favorited, follow and unfollow."""

from __future__ import annotations

from fastapi import Query
from starlette.responses import Response

from conduit.params import UsernameParam
from conduit.profiles import service as profiles
from conduit.reads import catalog
from conduit.reads.catalog import ListQuery, ProfileKey
from conduit.web.context import Web, WebContext, safe_next
from conduit.web.pages import router
from conduit.web.pages.listing import article_page, page_number
from conduit.web.templates import segment


async def _profile(ctx: WebContext, username: str, favorites: bool, page: str | None) -> Response:
    viewer_id = ctx.viewer.id if ctx.viewer else None
    profile = await ctx.read(catalog.PROFILE, ProfileKey(username=username))
    path = f"/profile/{segment(username)}" + ("/favorites" if favorites else "")
    query = ListQuery(favorited=username) if favorites else ListQuery(author=username)
    listing = await article_page(ctx, query, page_number(page), path, {})
    own = viewer_id == profile.id
    nav = "profile" if own else ""
    tab = "favorites" if favorites else "articles"
    return ctx.render("profile.html", profile=profile, tab=tab, own=own, nav=nav, **listing)


@router.get("/profile/{username}")
async def profile_page(
    ctx: Web, username: UsernameParam, page: str | None = Query(None)
) -> Response:
    return await _profile(ctx, username, False, page)


@router.get("/profile/{username}/favorites")
async def favorites_page(
    ctx: Web, username: UsernameParam, page: str | None = Query(None)
) -> Response:
    return await _profile(ctx, username, True, page)


@router.post("/profile/{username}/follow")
async def follow(ctx: Web, username: UsernameParam) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await profiles.follow(ctx.uow, username, ctx.viewer)
    return ctx.redirect(safe_next(form.get("next"), f"/profile/{segment(username)}"))


@router.post("/profile/{username}/unfollow")
async def unfollow(ctx: Web, username: UsernameParam) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    await profiles.unfollow(ctx.uow, username, ctx.viewer)
    return ctx.redirect(safe_next(form.get("next"), f"/profile/{segment(username)}"))
