"""The editor: a new article (/editor) or an author's edit of their own (/editor/:slug)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from conduit.articles import queries
from conduit.articles import service as articles
from conduit.articles.schemas import ArticleChanges, NewArticle
from conduit.errors import AppError, Forbidden
from conduit.params import Slug
from conduit.web.context import Web, WebContext
from conduit.web.forms import app_error_messages, parse, split_tags, text
from conduit.web.pages import router
from conduit.web.templates import segment


def _fields(form: FormData) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "description": text(form, "description"),
        "body": text(form, "body"),
        "tagList": split_tags(form),
    }


def _page(
    ctx: WebContext, values: dict[str, Any], slug: str | None, errors: list[str], status: int
) -> Response:
    return ctx.render(
        "editor.html", status=status, form=values, slug=slug, errors=errors, nav="editor"
    )


async def _own_article(ctx: WebContext, slug: str) -> dict[str, Any]:
    """The editor's fields of the viewer's own article; 403 for anyone else's."""
    article = await queries.get_article(ctx.db, slug, ctx.viewer.id if ctx.viewer else None)
    if ctx.viewer is None or article.author.id != ctx.viewer.id:
        raise Forbidden("article")
    return {
        "title": article.title,
        "description": article.description,
        "body": article.body or "",
        "tagList": list(article.tags),
    }


@router.get("/editor")
async def new_article_page(ctx: Web) -> Response:
    if ctx.viewer is None:
        return ctx.redirect("/login")
    empty = {"title": "", "description": "", "body": "", "tagList": []}
    return _page(ctx, empty, None, [], 200)


@router.post("/editor")
async def publish(ctx: Web) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    values = _fields(form)
    data, errors = parse(NewArticle, values)
    if data is None:
        return _page(ctx, values, None, errors, 422)
    article = await articles.create(ctx.uow, ctx.viewer, data)
    return ctx.redirect(f"/article/{segment(article.slug)}")


@router.get("/editor/{slug}")
async def edit_article_page(ctx: Web, slug: Slug) -> Response:
    if ctx.viewer is None:
        return ctx.redirect("/login")
    article = await _own_article(ctx, slug)
    return _page(ctx, article, slug, [], 200)


@router.post("/editor/{slug}")
async def save(ctx: Web, slug: Slug) -> Response:
    form = await ctx.form()
    if ctx.viewer is None:
        return ctx.redirect("/login")
    values = _fields(form)
    data, errors = parse(ArticleChanges, values)
    if data is None:
        return _page(ctx, values, slug, errors, 422)
    try:
        article = await articles.change(ctx.uow, ctx.viewer, slug, data)
    except AppError as error:
        if error.status_code != 422:
            raise
        return _page(ctx, values, slug, app_error_messages(error), 422)
    return ctx.redirect(f"/article/{segment(article.slug)}")
