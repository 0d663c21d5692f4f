"""The home page: Global Feed, Your Feed (?feed=following) and a tag's articles (/tag/:tag)."""

from __future__ import annotations

from fastapi import Query
from starlette.responses import Response

from conduit.articles import queries
from conduit.articles.queries import ArticleFilter
from conduit.params import TagParam
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
    filters = ArticleFilter(feed_of=ctx.viewer.id) if following and ctx.viewer else ArticleFilter()
    params = {"feed": "following"} if following else {}
    listing = await article_page(ctx, filters, page_number(page), "/", params)
    tags = (await queries.popular_tags(ctx.db))[:POPULAR_TAGS]
    tab = "following" if following else "global"
    return ctx.render("home.html", tab=tab, tag=None, tags=tags, nav="home", **listing)


@router.get("/tag/{tag:path}")
async def tag_page(ctx: Web, tag: TagParam, page: str | None = Query(None)) -> Response:
    listing = await article_page(ctx, ArticleFilter(tag=tag), page_number(page), tag_path(tag), {})
    tags = (await queries.popular_tags(ctx.db))[:POPULAR_TAGS]
    return ctx.render("home.html", tab="tag", tag=tag, tags=tags, nav="home", **listing)
