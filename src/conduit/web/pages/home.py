"""The home page: Global Feed, Your Feed (?feed=following) and a tag's articles (/tag/:tag)."""

from __future__ import annotations

from fastapi import Query
from starlette.responses import Response

from conduit.params import TagParam
from conduit.reads import catalog
from conduit.reads.catalog import ListQuery, NoParams
from conduit.web.context import Web
from conduit.web.pages import router
from conduit.web.pages.listing import article_page, page_number
from conduit.web.templates import tag_path

POPULAR_TAGS = 20


@router.get("/")
async def home(
    ctx: Web, feed: str | None = Query(None), page: str | None = Query(None)
) -> Response:
    following = feed == "following"
    if following and ctx.viewer is None:
        return ctx.redirect("/login")
    params = {"feed": "following"} if following else {}
    listing = await article_page(
        ctx, None if following else ListQuery(), page_number(page), "/", params
    )
    tags = (await ctx.read(catalog.TAGS, NoParams()))[:POPULAR_TAGS]
    tab = "following" if following else "global"
    return ctx.render("home.html", tab=tab, tag=None, tags=tags, nav="home", **listing)


@router.get("/tag/{tag:path}")
async def tag_page(ctx: Web, tag: TagParam, page: str | None = Query(None)) -> Response:
    query = ListQuery(tag=tag)
    listing = await article_page(ctx, query, page_number(page), tag_path(tag), {})
    tags = (await ctx.read(catalog.TAGS, NoParams()))[:POPULAR_TAGS]
    return ctx.render("home.html", tab="tag", tag=tag, tags=tags, nav="home", **listing)
